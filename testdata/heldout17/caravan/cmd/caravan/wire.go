package main

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/caravan/internal/auth/recovery"
	"example.com/caravan/internal/auth/session"
	"example.com/caravan/internal/dispatch"
	"example.com/caravan/internal/fleet"
	"example.com/caravan/internal/httpapi"
	"example.com/caravan/internal/ingest"
	"example.com/caravan/internal/ledger"
	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/platform/retry"
	"example.com/caravan/internal/quota"
	"example.com/caravan/internal/ratings"
	"example.com/caravan/internal/routecache"
	"example.com/caravan/internal/schedule"
	"example.com/caravan/internal/storage"
	"example.com/caravan/internal/storage/cfkv"
	"example.com/caravan/internal/storage/decorate"
	"example.com/caravan/internal/storage/memkv"
	"example.com/caravan/internal/webhook"
)

type app struct {
	api       http.Handler
	publisher *schedule.Publisher
}

func build(log *slog.Logger) (*app, error) {
	env := os.Getenv
	clk := clock.System{}
	account, nsID := env("CLOUDFLARE_ACCOUNT_ID"), env("KV_NAMESPACE_ID")
	client := cloudflare.NewClient(option.WithAPIToken(env("CLOUDFLARE_API_TOKEN")))

	var st storage.Store = cfkv.New(client, cfkv.Config{AccountID: account, NamespaceID: nsID, Title: "caravan"})
	if env("CARAVAN_LOCAL") != "" {
		st = memkv.New(clk)
	}
	st = decorate.WithRetry(st, retry.Default)
	if e := env("CARAVAN_ENV"); e != "" && e != "production" {
		st = decorate.WithPrefix(st, e+":")
	}

	sessCfg, err := session.ConfigFromEnv(env)
	if err != nil {
		return nil, err
	}
	routeMinutes, err := strconv.Atoi(cmp.Or(env("ROUTE_TTL_MINUTES"), "360"))
	if err != nil {
		return nil, fmt.Errorf("ROUTE_TTL_MINUTES: %w", err)
	}
	ping, err := time.ParseDuration(cmp.Or(env("PING_INTERVAL"), "15s"))
	if err != nil {
		return nil, fmt.Errorf("PING_INTERVAL: %w", err)
	}
	var secrets map[string]string
	if err := json.Unmarshal([]byte(cmp.Or(env("CARRIER_SECRETS"), "{}")), &secrets); err != nil {
		return nil, fmt.Errorf("CARRIER_SECRETS: %w", err)
	}

	db := ledger.Open([]ledger.PlanRow{{Tenant: "acme", Name: "fleet", MonthlyShipments: 50_000, DailyAPICalls: 500_000}}, nil)
	bus := dispatch.NewBus()
	drivers := fleet.NewDriverRepo(st)
	plans := &quota.Plans{Cache: st, DB: db, TTL: 10 * time.Minute}
	svc := &dispatch.Service{Store: st, Shipments: fleet.NewShipmentRepo(st), Drivers: drivers, Plans: plans, Clock: clk, Bus: bus}
	svc.Register()

	revoker := &session.Revoker{Client: client, AccountID: account, NamespaceID: nsID, TTL: sessCfg.SessionTTL}
	publisher := &schedule.Publisher{Client: client, AccountID: account, NamespaceID: nsID, DB: db, Clock: clk, Log: log}

	api := httpapi.New(httpapi.Deps{
		Store:     st,
		Bus:       bus,
		Matcher:   &dispatch.Matcher{Settings: decorate.WithLocalCache(st, clk, 30*time.Second, 256), Store: st, Drivers: drivers},
		Drafts:    dispatch.NewDrafts(st, clk),
		Sessions:  session.NewManager(st, clk, sessCfg, deviceKeys{st}, revoker),
		Ratings:   &ratings.Service{Store: st, Clock: clk},
		Meter:     &quota.Meter{Store: st, DB: db, Plans: plans, Clock: clk, Log: log},
		Schedules: publisher,
		Routes: &routecache.Cache{
			Client: client, AccountID: account, NamespaceID: nsID,
			TTL:    time.Duration(routeMinutes) * time.Minute,
			Router: engine{base: env("ROUTING_ENGINE_URL")},
			Store:  st,
		},
		Edge: &httpapi.Edge{Client: client, AccountID: account, NamespaceID: nsID, Clock: clk},
		Pings: &ingest.TrackingConsumer{
			Store: st, Positions: fleet.NewPositions(st, ping), Client: client,
			AccountID: account, NamespaceID: nsID, Clock: clk, Log: log,
		},
		Clock: clk,
		Log:   log,
		CarrierCallback: webhook.MakeCarrierCallback(webhook.Deps{Store: st, Bus: bus, Clock: clk, Log: log,
			Secrets: func(c string) ([]byte, bool) { s, ok := secrets[c]; return []byte(s), ok }}),
		Redeem: recovery.MakeRedeem(st, func(r *http.Request, driverID, device string) error {
			return st.Put(r.Context(), "rebind:"+device, []byte(driverID), 15*time.Minute)
		}),
	})
	return &app{api: api, publisher: publisher}, nil
}

// deviceKeys verifies sign-in signatures against the public key registered
// for a device at enrolment.
type deviceKeys struct{ st storage.Store }

func (d deviceKeys) Verify(ctx context.Context, deviceID string, msg, sig []byte) (string, string, error) {
	raw, err := d.st.Get(ctx, "devkey:"+deviceID)
	if err != nil {
		return "", "", err
	}
	var rec struct {
		Tenant, Driver string
		Key            []byte
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", "", err
	}
	if len(rec.Key) != ed25519.PublicKeySize || !ed25519.Verify(rec.Key, msg, sig) {
		return "", "", errors.New("device signature mismatch")
	}
	return rec.Tenant, rec.Driver, nil
}

// engine is the HTTP client of the routing engine.
type engine struct{ base string }

func (e engine) get(ctx context.Context, path string, q url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("routing engine: %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (e engine) Route(ctx context.Context, profile, origin, dest string) (routecache.Route, error) {
	r := routecache.Route{Profile: profile, Origin: origin, Dest: dest}
	return r, e.get(ctx, "/route", url.Values{"profile": {profile}, "from": {origin}, "to": {dest}}, &r)
}

func (e engine) Traffic(ctx context.Context, region string) ([]byte, error) {
	var overlay json.RawMessage
	return overlay, e.get(ctx, "/traffic", url.Values{"region": {region}}, &overlay)
}
