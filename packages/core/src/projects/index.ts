export { projectModel, projectMemberModel, projectIdsOf, type ProjectDocument, type ProjectMemberDocument } from "./model.js";
export { listProjects, createProject, projectDetail, updateProject, addProjectMember, removeProjectMember, deleteProject, projectFiles } from "./projects.js";
export { projectContext } from "./context.js";
export { handOverProjects } from "./handover.js";
