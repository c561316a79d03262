// (filled by the workspace admin work)
export const routes = [];
