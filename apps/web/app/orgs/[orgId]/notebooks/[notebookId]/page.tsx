import type { GeneratedImage, KnowledgeFile, ModelsResponse, Notebook, NotebookMessage } from "@tandem/client/contract";
import { serverGet } from "../../../../../lib/server-api";
import Markdown from "./markdown";
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
  // The messages' Markdown rendered here too (the browser would otherwise load the renderer, then
  // redraw each message as it arrives: a later paint, and a shift of the thread).
  const rendered = Object.fromEntries((data?.messages ?? []).filter((m) => m.content && m.status !== "streaming").map((m) => [m.id, { text: m.content, node: <Markdown text={m.content} /> }]));
  const initial: InitialNotebook | undefined = data && models && files ? { ...data, models, files: files.files, images: images?.images ?? [], rendered } : undefined;
  return <NotebookView params={params} initial={initial} />;
}
