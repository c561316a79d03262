// (filled by the workspace case work)
export const routes = [];
