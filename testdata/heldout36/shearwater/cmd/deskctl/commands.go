package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"github.com/deskfleet/shearwater/internal/export"
	"github.com/deskfleet/shearwater/internal/keys"
	"github.com/deskfleet/shearwater/internal/restkv"
)

type exportOpts struct {
	tenants []string
	plan    string
	out     string
	runID   string
}

func runExport(ctx context.Context, c *restkv.Client, args []string) error {
	var o exportOpts
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	tenants := fs.String("tenants", "", "comma-separated tenant ids")
	fs.StringVar(&o.plan, "plan", "team", "plan whose export budget applies")
	fs.StringVar(&o.out, "out", "-", "output file")
	fs.StringVar(&o.runID, "run", time.Now().UTC().Format("20060102"), "run id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.tenants = strings.Split(*tenants, ",")

	var out io.Writer = os.Stdout
	if o.out != "-" {
		f, err := os.Create(o.out)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	ex := &export.Exporter{KV: c, Out: out}
	if err := ex.Lock(ctx, o.runID); err != nil {
		return err
	}
	defer ex.Unlock(context.WithoutCancel(ctx))
	for _, t := range o.tenants {
		if _, err := ex.Tickets(ctx, t, o.plan); err != nil {
			return fmt.Errorf("tickets %s: %w", t, err)
		}
		if _, err := ex.Timers(ctx, t); err != nil {
			return fmt.Errorf("timers %s: %w", t, err)
		}
		if _, err := ex.Reports(ctx, t); err != nil {
			return fmt.Errorf("reports %s: %w", t, err)
		}
	}
	if _, err := ex.Snapshots(ctx, 20); err != nil {
		return err
	}
	return ex.MarkDone(ctx, o.runID, o.tenants, o.plan)
}

type purgeOpts struct {
	tenant string
	kind   string
	ids    []string
}

var purgeKinds = map[string]func(*restkv.Client, context.Context, string) error{
	"ticket": (*restkv.Client).Delete,
	"canned": (*restkv.Client).Delete,
}

var purgeKey = map[string]func(string) string{
	"ticket": keys.Ticket,
	"canned": func(id string) string { return keys.CannedPrefix + "r/" + id },
}

func runPurge(ctx context.Context, c *restkv.Client, args []string) error {
	var o purgeOpts
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.StringVar(&o.kind, "kind", "ticket", "ticket or canned")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.ids = fs.Args()
	del, ok := purgeKinds[o.kind]
	if !ok {
		return fmt.Errorf("unknown kind %q", o.kind)
	}
	for _, id := range o.ids {
		if err := del(c, ctx, "t/"+o.tenant+"/"+purgeKey[o.kind](id)); err != nil {
			return err
		}
	}
	return nil
}

const importDisclaimer = `This canned reply was imported from the legacy helpdesk. Its placeholders ` +
	`were converted automatically from the {{ticket.requester.first_name}} style to the {requester} ` +
	`style, and any placeholder that could not be mapped was left as plain text between double braces. ` +
	`Before sending it to a customer, review the greeting, the signature block, any links to the old ` +
	`knowledge base (which now redirect to the new help center, but may land on the home page when the ` +
	`article was retired), and any mention of business hours, which were copied verbatim from the legacy ` +
	`configuration and may not match the schedules now configured per team. Attachments were not imported; ` +
	`re-attach files from the shared drive. Replies that used conditional blocks ({% if %}) were flattened ` +
	`to their first branch. Tags were lower-cased and deduplicated; tags longer than 32 characters were cut. ` +
	`Contact the support operations team in #desk-ops if a reply renders incorrectly or if the mapping of ` +
	`a placeholder looks wrong, and include the reply id and the legacy id shown in this metadata record.`

type importOpts struct {
	tenant string
	file   string
	legacy bool
}

func runImportCanned(ctx context.Context, c *restkv.Client, args []string) error {
	var o importOpts
	fs := flag.NewFlagSet("import-canned", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.StringVar(&o.file, "file", "", "JSON array of replies")
	fs.BoolVar(&o.legacy, "legacy", false, "replies come from the legacy helpdesk")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := os.ReadFile(o.file)
	if err != nil {
		return err
	}
	var replies []struct {
		ID       string `json:"id"`
		LegacyID string `json:"legacy_id"`
		Title    string `json:"title"`
	}
	if err := json.Unmarshal(raw, &replies); err != nil {
		return err
	}
	pairs := make([]restkv.Pair, 0, len(replies))
	for _, r := range replies {
		b, _ := json.Marshal(r)
		p := restkv.Pair{Key: "t/" + o.tenant + "/" + keys.CannedPrefix + "r/" + r.ID, Value: string(b), TTL: 6 * time.Hour}
		if o.legacy {
			p.Metadata = map[string]any{"legacy_id": r.LegacyID, "note": importDisclaimer} // EXPECT kvlimits
		} else {
			p.Metadata = map[string]any{"title": r.Title}
		}
		pairs = append(pairs, p)
	}
	for len(pairs) > 0 {
		n := min(len(pairs), 25_000) // EXPECT kvlimits
		if err := c.BulkPut(ctx, pairs[:n]); err != nil {
			return err
		}
		pairs = pairs[n:]
	}
	return nil
}

const maintenanceNotice = `Scheduled maintenance: on Saturday between 02:00 and 04:00 UTC the helpdesk ` +
	`will be read-only while we move ticket attachments to the new storage cluster. Agents can still read ` +
	`tickets and canned replies, but replies, internal notes, tag changes and SLA pauses will be rejected ` +
	`with a banner. Customer e-mails received during the window are queued and appear in the inbox in ` +
	`arrival order once maintenance ends. SLA clocks are paused automatically for the whole window, so no ` +
	`breach will be recorded for it. If your team has a shift during the window, plan to work from the ` +
	`read-only view and draft replies offline. Status updates will be posted on the status page.`

type announceOpts struct {
	until time.Duration
}

func runAnnounce(ctx context.Context, c *restkv.Client, args []string) error {
	var o announceOpts
	fs := flag.NewFlagSet("announce", flag.ContinueOnError)
	fs.DurationVar(&o.until, "for", 48*time.Hour, "how long consoles show the notice")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.Put(ctx, "notice/current", []byte(maintenanceNotice), o.until); err != nil {
		return err
	}
	// Consoles acknowledge a notice by its text, so the seen-marker is keyed by it.
	return c.Put(ctx, "notice/seen/"+maintenanceNotice, []byte("0"), o.until) // EXPECT kvlimits
}

type inspectOpts struct {
	prefix string
	full   bool
}

func runInspect(ctx context.Context, c *restkv.Client, args []string) error {
	var o inspectOpts
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.StringVar(&o.prefix, "prefix", "", "key prefix")
	fs.BoolVar(&o.full, "full", false, "also count the SLA snapshots")
	if err := fs.Parse(args); err != nil {
		return err
	}
	page, err := c.API().Keys.List(ctx, c.Namespace(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.Account()),
		Prefix:    cloudflare.F(o.prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Println(k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Printf("... more (cursor %s)\n", page.ResultInfo.Cursor)
	}
	if !o.full {
		return nil
	}
	more, err := c.ListPage(ctx, "sla/snapshot/", "", 2000) // EXPECT kvlimits
	if err != nil {
		return err
	}
	fmt.Printf("%d snapshots on the first page (next cursor %q)\n", len(more.Result), more.ResultInfo.Cursor)
	return nil
}

type quotaOpts struct {
	tenants []string
}

func runResetQuotas(ctx context.Context, c *restkv.Client, args []string) error {
	var o quotaOpts
	fs := flag.NewFlagSet("reset-quotas", flag.ContinueOnError)
	tenants := fs.String("tenants", "", "comma-separated tenant ids")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.tenants = strings.Split(*tenants, ",")
	put := (*restkv.Client).Put
	for _, t := range o.tenants {
		if err := put(c, ctx, "t/"+t+"/quota/exports-today", []byte("0"), 26*time.Hour); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}

type settingOpts struct {
	tenant string
	field  string
	value  string
}

func runSetSetting(ctx context.Context, c *restkv.Client, args []string) error {
	var o settingOpts
	fs := flag.NewFlagSet("set-setting", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.StringVar(&o.field, "field", "", "setting name")
	fs.StringVar(&o.value, "value", "", "setting value")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key := "t/" + o.tenant + "/canned/settings"
	settings := map[string]string{}
	resp, err := c.API().Values.Get(ctx, c.Namespace(), key, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(c.Account()),
	})
	if err == nil {
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(raw, &settings); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
	}
	settings[o.field] = o.value
	b, _ := json.Marshal(settings)
	_, err = c.API().Values.Update(ctx, c.Namespace(), key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.Account()),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
	})
	return err
}

type showOpts struct {
	key string
}

func runShow(ctx context.Context, c *restkv.Client, args []string) error {
	var o showOpts
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	fs.StringVar(&o.key, "key", "", "full key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	resp, err := c.API().Values.Get(ctx, c.Namespace(), o.key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.Account()),
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if len(raw) > 0 { // EXPECT kvnull
		fmt.Println(string(raw))
		return nil
	}
	return errors.New("no such key")
}

type warmOpts struct {
	tenant string
	file   string
	ttl    time.Duration
}

func runWarm(ctx context.Context, c *restkv.Client, args []string) error {
	var o warmOpts
	fs := flag.NewFlagSet("warm", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant id")
	fs.StringVar(&o.file, "file", "", "JSON array of ticket summaries")
	fs.DurationVar(&o.ttl, "ttl", 30*time.Second, "cache lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := os.ReadFile(o.file)
	if err != nil {
		return err
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return err
	}
	pairs := make([]restkv.Pair, 0, len(rows))
	for _, row := range rows {
		var head struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(row, &head); err != nil || head.ID == "" {
			continue
		}
		pairs = append(pairs, restkv.Pair{Key: "t/" + o.tenant + "/" + keys.Ticket(head.ID), Value: string(row), TTL: o.ttl})
	}
	for len(pairs) > 0 {
		n := min(len(pairs), 10_000)
		if err := c.BulkPut(ctx, pairs[:n]); err != nil {
			return err
		}
		pairs = pairs[n:]
	}
	if _, found, err := c.Get(ctx, "t/"+o.tenant+"/warm/last"); err == nil && !found {
		fmt.Println("first warm-up for tenant", o.tenant)
	}
	return c.Put(ctx, "t/"+o.tenant+"/warm/last", []byte(time.Now().UTC().Format(time.RFC3339)), 30*time.Second)
}
