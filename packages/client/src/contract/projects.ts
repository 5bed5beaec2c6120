import { z } from "zod";
import { Notebook } from "./notebooks.js";
import { multiLineOrEmpty, ObjectIdString, singleLine } from "./text.js";

/** At most this many projects in one organisation, and members in one project. */
export const MAX_PROJECTS = 500;
export const MAX_PROJECT_MEMBERS = 200;

export const ProjectName = singleLine("project name", 120, "Give the project a name");
export const ProjectInstructions = multiLineOrEmpty("project instructions", 20_000);
export const ProjectRole = z.enum(["owner", "member"]);
export type ProjectRole = z.infer<typeof ProjectRole>;

export const Project = z.object({
  id: ObjectIdString,
  name: z.string(),
  instructions: z.string().describe("Given to the model before each notebook's own system prompt, in every notebook of the project"),
  ownerId: ObjectIdString,
  ownerName: z.string(),
  role: ProjectRole.describe("Yours: the owner manages the project (name, instructions, members, files); members use it"),
  memberCount: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type Project = z.infer<typeof Project>;
export const ProjectMember = z.object({ userId: ObjectIdString, name: z.string(), email: z.string(), role: ProjectRole });
export type ProjectMember = z.infer<typeof ProjectMember>;
export const ProjectNotebook = Notebook.extend({ ownerName: z.string() });
export type ProjectNotebook = z.infer<typeof ProjectNotebook>;

export const ProjectsResponse = z.object({ projects: z.array(Project).describe("The projects you own or are a member of, by name") });
export const ProjectResponse = z.object({ project: Project });
export const ProjectDetailResponse = z.object({
  project: Project,
  members: z.array(ProjectMember),
  notebooks: z.array(ProjectNotebook).describe("Your notebooks in the project, and the notebooks shared with the project, newest activity first"),
});
export type ProjectDetailResponse = z.infer<typeof ProjectDetailResponse>;
export const CreateProjectRequest = z.object({ name: ProjectName, instructions: ProjectInstructions.optional() }).strict();
export const UpdateProjectRequest = z.object({ name: ProjectName.optional(), instructions: ProjectInstructions.optional() }).strict();
