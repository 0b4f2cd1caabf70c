package builds

// defaultCSP is served on every documentation page unless the site overrides
// it. It allows the embeds customers use most: video players, diagram
// renderers, sandboxes, analytics and the search widget.
const defaultCSP = "default-src 'self'; " +
	"script-src 'self' 'unsafe-inline' https://static.atlas.dev https://cdn.jsdelivr.net https://unpkg.com " +
	"https://www.googletagmanager.com https://www.google-analytics.com https://plausible.io https://cdn.usefathom.com " +
	"https://js.hs-scripts.com https://widget.kapa.ai https://cdn.algolia.net https://cdn.segment.com; " +
	"style-src 'self' 'unsafe-inline' https://static.atlas.dev https://fonts.googleapis.com https://cdn.jsdelivr.net; " +
	"font-src 'self' data: https://fonts.gstatic.com https://static.atlas.dev; " +
	"img-src 'self' data: blob: https: https://images.atlas.dev https://avatars.githubusercontent.com; " +
	"media-src 'self' https://videos.atlas.dev https://player.vimeo.com; " +
	"connect-src 'self' https://api.atlas.dev https://search.atlas.dev https://*.algolia.net https://*.algolianet.com " +
	"https://plausible.io https://www.google-analytics.com https://api.segment.io https://proxy.kapa.ai wss://live.atlas.dev; " +
	"frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com https://codesandbox.io " +
	"https://stackblitz.com https://www.figma.com https://app.diagrams.net https://mermaid.live https://www.loom.com; " +
	"worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; base-uri 'self'; " +
	"form-action 'self' https://api.atlas.dev; frame-ancestors 'self' https://app.atlas.dev; upgrade-insecure-requests"
