// Command fleetctl is the on-call tool for poking at the fleet's KV data.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"bittern/internal/config"
	"bittern/internal/keys"
	"bittern/internal/kvstore"
)

type cli struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	cfg config.Config
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fleetctl device|seed-demo|wipe-sessions|copy-config ...")
		os.Exit(2)
	}
	cfg, err := config.Load(os.Getenv("FLEET_CONFIG"))
	if err != nil {
		log.Fatal(err)
	}
	api, err := cloudflare.NewWithAPIToken(cfg.Cloudflare.APIToken)
	if err != nil {
		log.Fatal(err)
	}
	c := &cli{api: api, rc: cloudflare.AccountIdentifier(cfg.Cloudflare.AccountID), cfg: cfg}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	args := os.Args[2:]
	switch os.Args[1] {
	case "device":
		err = c.device(ctx, args[0], args[1])
	case "seed-demo":
		err = c.seedDemo(ctx)
	case "wipe-sessions":
		err = c.wipeSessions(ctx)
	case "copy-config":
		err = c.copyConfig(ctx, args[0], args[1])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

func (c *cli) namespaceOf(tenant string) string {
	if ns, ok := c.cfg.Namespaces.Tenants[tenant]; ok {
		return ns
	}
	return c.cfg.Namespaces.Default
}

func (c *cli) device(ctx context.Context, tenant, serial string) error {
	raw, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: c.namespaceOf(tenant),
		Key:         keys.Device.Key(tenant, strings.ToUpper(serial)),
	})
	if err != nil {
		return fmt.Errorf("device %s: %w", serial, err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		fmt.Printf("%s is not enrolled with %s\n", serial, tenant)
		return nil
	}
	var pretty map[string]any
	if err := json.Unmarshal(raw, &pretty); err != nil {
		return err
	}
	out, _ := json.MarshalIndent(pretty, "", "  ")
	fmt.Println(string(out))
	return nil
}

// seedDemo loads the fixtures the sales team uses for demos.
func (c *cli) seedDemo(ctx context.Context) error {
	ns := c.namespaceOf("demo")
	var pairs []*cloudflare.WorkersKVPair
	for _, j := range []struct {
		key   string
		value string
		ttl   time.Duration
	}{
		{keys.TenantConfig.Key("demo", "config"), `{"tenant":"demo","name":"Demo Farms","firmware_channel":"beta"}`, 0},
		{keys.EnrollCode.Key("demo", "DEMO-0000-0000-0001"), `{"code":"DEMO-0000-0000-0001","tenant":"demo","model":"th-200"}`, 24 * time.Hour},
		{keys.EnrollCode.Key("demo", "DEMO-0000-0000-0002"), `{"code":"DEMO-0000-0000-0002","tenant":"demo","model":"th-200"}`, 24 * time.Hour},
		{"banner/demo", "Scheduled maintenance tonight 22:00 UTC", 30 * time.Second}, // EXPECT kvttl
		{keys.Device.Key("demo", "TH200-000017"), `{"tenant":"demo","serial":"TH200-000017","model":"th-200","firmware":"2.4.1"}`, 0},
	} {
		p := &cloudflare.WorkersKVPair{Key: j.key, Value: j.value}
		if j.ttl > 0 {
			p.ExpirationTTL = int(j.ttl.Seconds())
		}
		pairs = append(pairs, p)
	}
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs})
	return err
}

// wipeSessions signs every operator out, for example after a key rotation.
func (c *cli) wipeSessions(ctx context.Context) error {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: c.cfg.Namespaces.Sessions, Prefix: "sess/"}
	total := 0
	for {
		resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if len(names) > 0 {
			if _, err := c.api.DeleteWorkersKVEntries(ctx, c.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: params.NamespaceID, Keys: names}); err != nil { // EXPECT kvsession
				return err
			}
		}
		total += len(names)
		if resp.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = resp.ResultInfo.Cursor
	}
	fmt.Printf("deleted %d sessions\n", total)
	return nil
}

// copyConfig copies a tenant's configuration into another tenant, for
// cloning a pilot customer's setup.
func (c *cli) copyConfig(ctx context.Context, from, to string) error {
	get, put := (*kvstore.Store).Get, (*kvstore.Store).Put
	src := kvstore.New(c.api, c.cfg.Cloudflare.AccountID, c.namespaceOf(from))
	dst := kvstore.New(c.api, c.cfg.Cloudflare.AccountID, c.namespaceOf(to))
	raw, err := get(src, ctx, keys.TenantConfig.Key(from, "config"))
	if err != nil {
		return fmt.Errorf("copy config: %w", err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("copy config: %w", err)
	}
	cfg["tenant"], cfg["slug"] = to, ""
	b, _ := json.Marshal(cfg)
	return put(dst, ctx, keys.TenantConfig.Key(to, "config"), b, 0)
}
