package tenants

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	cfkv "github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/ruffgate/ruff/internal/kv"
)

// routeTTL bounds how long an edge route survives without being
// republished; the scheduler republishes every tenant daily.
const routeTTL = 24 * time.Hour

// Route is what the edge Worker reads for a hostname.
type Route struct {
	Tenant string `json:"tenant"`
	Origin string `json:"origin"`
	Plan   string `json:"plan"`
	HSTS   bool   `json:"hsts"`
}

// PublishRoutes writes the edge routes of every hostname of tenant id.
func (s *Service) PublishRoutes(ctx context.Context, id string) error {
	st, err := s.Settings(ctx, id)
	if err != nil {
		return err
	}
	hosts, err := s.hostnames(ctx, id)
	if err != nil || len(hosts) == 0 {
		return err
	}
	raw, _ := json.Marshal(Route{Tenant: id, Origin: st.Origin, Plan: st.Plan, HSTS: st.Plan != "free"})
	bulk, accountID, nsID := s.routes.Bulk()
	body := make([]cfkv.NamespaceBulkUpdateParamsBody, 0, len(hosts))
	for _, h := range hosts {
		body = append(body, cfkv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("route:" + h),
			Value:         cloudflare.F(string(raw)),
			ExpirationTTL: cloudflare.F(float64(routeTTL)), // EXPECT kvttl
		})
	}
	_, err = bulk.Update(ctx, nsID, cfkv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(accountID), Body: body})
	return err
}

// RefreshRoute republishes one hostname after its claim is verified.
func (s *Service) RefreshRoute(ctx context.Context, id, host string) error {
	st, err := s.Settings(ctx, id)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(Route{Tenant: id, Origin: st.Origin, Plan: st.Plan, HSTS: st.Plan != "free"})
	return s.routes.PutMany(ctx, []kv.Entry{{Key: "route:" + host, Value: string(raw), TTL: routeTTL, Meta: map[string]any{"tenant": id}}})
}

// ScheduleMaintenance shows a banner on every hostname of tenant id until
// the given time.
func (s *Service) ScheduleMaintenance(ctx context.Context, id string, until time.Time, message string) error {
	hosts, err := s.hostnames(ctx, id)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(map[string]any{"message": message, "until": until.UTC()})
	bulk, accountID, nsID := s.routes.Bulk()
	body := make([]cfkv.NamespaceBulkUpdateParamsBody, 0, len(hosts))
	for _, h := range hosts {
		body = append(body, cfkv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("maint:" + h),
			Value:      cloudflare.F(string(raw)),
			Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
		})
	}
	_, err = bulk.Update(ctx, nsID, cfkv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(accountID), Body: body})
	return err
}

// platformLabels are subdomains of the platform domain that tenants may not
// claim.
var platformLabels = []string{
	"www", "api", "app", "admin", "auth", "login", "sso", "status", "docs",
	"mail", "smtp", "imap", "mx", "ns1", "ns2", "cdn", "static", "assets",
	"billing", "support", "help", "dashboard", "console", "edge", "acme",
	"_acme-challenge", "autoconfig", "autodiscover", "blog", "dev", "staging",
}

// reservedNotice is attached to every reserved key so that anyone browsing
// the namespace in the Cloudflare dashboard knows why it is there.
const reservedNotice = "This hostname label is reserved by the platform and cannot be claimed by a tenant. " +
	"Reserved labels cover names that the platform itself serves (the dashboard, the API, the status page, " +
	"documentation, static assets and the edge), names that mail clients and operating systems probe " +
	"automatically (autoconfig, autodiscover, mail exchangers and name servers), and names whose ownership " +
	"would let a tenant obtain certificates or intercept verification traffic for other tenants, such as the " +
	"ACME challenge label. Removing one of these keys does not make the label claimable: the claim handler " +
	"checks the same list in code, and the nightly seed job writes the keys back. If a customer has a " +
	"legitimate need for one of these labels under their own domain, the claim goes through the support " +
	"queue, where an operator verifies domain ownership out of band and creates the claim with the admin " +
	"tool, which records the operator, the ticket and the verification evidence in the audit log. Questions " +
	"about this list go to the platform team's channel; changes need a review from security because several " +
	"labels protect certificate issuance and the routing of verification traffic for every tenant at once."

// SeedReserved writes the reserved platform labels. It runs at deploy time.
func (s *Service) SeedReserved(ctx context.Context, platformDomain string) error {
	bulk, accountID, nsID := s.state.Bulk()
	body := make([]cfkv.NamespaceBulkUpdateParamsBody, 0, len(platformLabels))
	for _, label := range platformLabels {
		body = append(body, cfkv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(hostKey(label + "." + platformDomain)),
			Value: cloudflare.F(`{"tenant":"platform","verified":true}`),
			Metadata: cloudflare.F(map[string]any{ // EXPECT kvlimits
				"reserved": true,
				"notice":   reservedNotice,
			}),
		})
	}
	_, err := bulk.Update(ctx, nsID, cfkv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(accountID),
		Body:      body,
	})
	return err
}

// ReserveShortLabels reserves every one-, two- and three-letter label under
// the platform domain; short names are sold separately.
func (s *Service) ReserveShortLabels(ctx context.Context, platformDomain string) error {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	var labels []string
	for _, a := range letters {
		labels = append(labels, string(a))
		for _, b := range letters {
			labels = append(labels, string(a)+string(b))
			for _, c := range letters {
				labels = append(labels, string(a)+string(b)+string(c))
			}
		}
	}

	bulk, accountID, nsID := s.state.Bulk()
	body := make([]cfkv.NamespaceBulkUpdateParamsBody, 0, len(labels))
	for _, l := range labels {
		body = append(body, cfkv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(hostKey(l + "." + platformDomain)),
			Value: cloudflare.F(`{"tenant":"platform","verified":true}`),
		})
	}
	_, err := bulk.Update(ctx, nsID, cfkv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(accountID),
		Body:      body,
	})
	return err
}
