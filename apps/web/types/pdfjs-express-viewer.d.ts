// The part of PDF.js Express's WebViewer API the viewer page uses (the package ships no types).
declare module "@pdftron/pdfjs-express-viewer" {
  interface DocumentViewer {
    addEventListener(event: "documentLoaded", listener: () => void): void;
    setCurrentPage(page: number, smoothScroll?: boolean): void;
  }
  interface WebViewerInstance {
    Core: { documentViewer: DocumentViewer };
  }
  interface WebViewerOptions {
    path: string;
    licenseKey?: string;
    initialDoc?: string;
    extension?: string;
  }
  export default function WebViewer(options: WebViewerOptions, element: HTMLElement): Promise<WebViewerInstance>;
}
