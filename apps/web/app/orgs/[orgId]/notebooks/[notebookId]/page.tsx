import type { GeneratedImage, KnowledgeFile, ModelsResponse, Notebook, NotebookMessage } from "@tandem/client/contract";
import { serverGet } from "../../../../../lib/server-api";
import { NotebookView, type InitialNotebook } from "./notebook-view";

/**
 * The chat. Its data is read while the server renders it, so the thread is in the first HTML
 * (on a phone, the text appears seconds sooner than if the browser fetched it after running the
 * page's JavaScript). Whatever the server cannot read (a session to refresh, the API slow or down,
 * a notebook that is not there) the page fetches in the browser, which also says what went wrong.
 */
export default async function NotebookPage({ params }: { params: { orgId: string; notebookId: string } }) {
  const org = `/api/orgs/${encodeURIComponent(params.orgId)}`;
  const base = `${org}/notebooks/${encodeURIComponent(params.notebookId)}`;
  const [data, models, files, images] = await Promise.all([
    serverGet<{ notebook: Notebook; messages: NotebookMessage[] }>(base),
    serverGet<ModelsResponse>(`${org}/models`),
    serverGet<{ files: KnowledgeFile[] }>(`${base}/files`),
    serverGet<{ images: GeneratedImage[] }>(`${base}/images`),
  ]);
  const initial: InitialNotebook | undefined = data && models && files ? { ...data, models, files: files.files, images: images?.images ?? [] } : undefined;
  return <NotebookView params={params} initial={initial} />;
}
