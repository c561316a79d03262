// (filled by the workspace deadlines work)
export const routes = [];
