export { projectModel, projectMemberModel, projectIdsOf, type ProjectDocument, type ProjectMemberDocument } from "./model.js";
export { listProjects, createProject, projectDetail, updateProject, addProjectMember, removeProjectMember, deleteProject, projectFiles, projectContext } from "./projects.js";
export { handOverProjects } from "./handover.js";
