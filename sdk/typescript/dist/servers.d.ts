/** The server url of the document: every path is served under it unless listed in `pathServers`. */
export declare const defaultServer = "/api";
/** Paths whose own `servers` entry overrides the document's (e.g. the JWKS, served at the root). */
export declare const pathServers: Readonly<Record<string, string>>;
