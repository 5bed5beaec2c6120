import type { GeneratedImage, KnowledgeFile, ModelsResponse, Notebook, NotebookMessage } from "@tandem/client/contract";
import { serverGet } from "../../../../../lib/server-api";
import Markdown from "./markdown";
import { NotebookView, type InitialNotebook } from "./notebook-view";

/** At most this much of a thread's Markdown is rendered by the server: its newest messages, the ones in view. */
const RENDERED_MESSAGES = 40;
const RENDERED_CHARACTERS = 100_000;

/**
 * The newest messages' Markdown, rendered here (the browser would otherwise load the renderer,
 * then redraw each message: a later paint, and a shift of the thread). Bounded, so a notebook of
 * thousands of long messages costs the server no more than a screenful; the browser renders the
 * older ones once it has loaded the renderer.
 */
function renderNewest(messages: readonly NotebookMessage[]): InitialNotebook["rendered"] {
  const rendered: Record<string, InitialNotebook["rendered"][string]> = {};
  let characters = 0;
  for (const m of [...messages].reverse().slice(0, RENDERED_MESSAGES)) {
    if (!m.content || m.status === "streaming") continue;
    characters += m.content.length;
    if (characters > RENDERED_CHARACTERS) break;
    rendered[m.id] = { text: m.content, node: <Markdown text={m.content} /> };
  }
  return rendered;
}

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
  const rendered = renderNewest(data?.messages ?? []);
  const initial: InitialNotebook | undefined = data && models && files ? { ...data, models, files: files.files, images: images?.images ?? [], rendered } : undefined;
  return <NotebookView params={params} initial={initial} />;
}
