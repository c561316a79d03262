// (filled by the workspace board work)
export const routes = [];
