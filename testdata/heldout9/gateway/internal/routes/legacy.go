package routes

import (
	"context"
	"encoding/json"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/gateway/internal/store"
)

// legacyPattern is the v1 catch-all that predates per-route records. The
// edge worker still looks the v1 upstream up by its pattern.
const legacyPattern = `^/v1/(?:accounts|organizations|orgs|teams|workspaces)/(?P<owner>[a-z0-9][a-z0-9-]{0,62})` +
	`/(?:projects|apps|applications|services|functions)/(?P<project>[a-z0-9][a-z0-9-]{0,62})` +
	`/(?:environments|envs|stages)/(?P<env>production|staging|preview|development|sandbox)` +
	`/(?:deployments|releases|builds|artifacts)/(?P<deployment>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})` +
	`/(?:logs|events|metrics|traces|alerts|webhooks|domains|certificates|secrets|variables)` +
	`(?:/(?P<item>[A-Za-z0-9._~-]{1,128}))?(?:/(?:history|versions|revisions|audit))?` +
	`(?:\?(?:page|per_page|cursor|limit|since|until|order|sort|filter)=[^&]*(?:&(?:page|per_page|cursor|limit|since|until|order|sort|filter)=[^&]*)*)?$`

// deprecationNotice is rendered by the edge worker on v1 responses.
const deprecationNotice = `<section class="gw-deprecation"><h2>API v1 is being retired</h2>` +
	`<p>The v1 API will stop accepting requests on 30 June. Requests made after that date will receive HTTP 410 Gone. ` +
	`Every v1 endpoint has a v2 equivalent with the same authentication: replace the /v1/ prefix with /v2/ and read the ` +
	`migration guide for the handful of endpoints whose response shapes changed (pagination now uses opaque cursors, ` +
	`timestamps are RFC 3339 strings instead of epoch seconds, and error bodies follow RFC 9457 problem details).</p>` +
	`<p>If you cannot migrate in time, open a ticket from the dashboard before the end of May and we will extend the ` +
	`retirement date for your organization by up to ninety days. Extensions are granted per organization, not per key, ` +
	`and require an owner to confirm the migration plan. Keys created after 1 March cannot call v1 at all.</p>` +
	`<p>Questions? Write to api-support@example.com or join the migration office hours every Tuesday and Thursday at ` +
	`16:00 UTC. Recordings of previous sessions, the changelog and a tool that scans your code for v1 calls are linked ` +
	`from the developer portal. Thank you for building on our platform.</p></section>`

// PublishLegacy keeps the v1 catch-all pointing at the current upstream.
func (p *Publisher) PublishLegacy(ctx context.Context, upstream string) error {
	b, err := json.Marshal(Route{ID: "v1", Method: "*", Path: "/v1/", Upstream: upstream})
	if err != nil {
		return err
	}
	return p.st.Put(ctx, "route:pattern:"+legacyPattern, b, store.WithMetadata(map[string]any{"legacy": true})) // EXPECT kvlimits
}

// PublishNotice attaches the retirement notice to the v1 route record so
// the worker can render it from list metadata without a second read.
func (p *Publisher) PublishNotice(ctx context.Context) error {
	_, err := p.ns.Values().Update(ctx, p.ns.ID, "route:v1", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.ns.AccountID),
		Value:     cloudflare.F(`{"id":"v1","path":"/v1/"}`),
		Metadata:  cloudflare.F[any](map[string]any{"deprecated": true, "notice": deprecationNotice}), // EXPECT kvlimits
	})
	return err
}
