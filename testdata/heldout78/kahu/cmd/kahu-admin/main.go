// Command kahu-admin runs operator tasks against the production namespaces.
//
//	kahu-admin export-suppressions -customer acme > acme.csv
//	kahu-admin import-suppressions -customer acme acme.csv
//	kahu-admin audit-domains
//	kahu-admin set-plan -customer acme -daily 50000
//	kahu-admin grant-trial -customer acme
//	kahu-admin rotate-dkim -selector k2 domains.txt
//	kahu-admin warm-reputation domains.txt
//	kahu-admin purge-greylist
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"kahu/internal/kv"
	"kahu/internal/policy"
)

type env struct {
	client *kv.Client
	supp   string
	domain string
	limits string
	grey   string
	cache  string
}

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: kahu-admin <command> [flags]")
	}
	c, err := kv.NewClient(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"))
	if err != nil {
		log.Fatal(err)
	}
	e := &env{
		client: c,
		supp:   os.Getenv("KV_SUPPRESSIONS"),
		domain: os.Getenv("KV_DOMAINS"),
		limits: os.Getenv("KV_LIMITS"),
		grey:   os.Getenv("KV_GREYLIST"),
		cache:  os.Getenv("KV_CACHE"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	customer := fs.String("customer", "", "customer ID")
	daily := fs.Int("daily", 0, "daily recipient limit")
	selector := fs.String("selector", "", "DKIM selector")
	ttl := fs.Duration("ttl", 0, "expire imported entries after this long (0 = never)")
	_ = fs.Parse(args)

	switch cmd {
	case "export-suppressions":
		err = e.exportSuppressions(ctx, *customer)
	case "import-suppressions":
		err = e.importSuppressions(ctx, *customer, fs.Arg(0), *ttl)
	case "audit-domains":
		err = e.auditDomains(ctx)
	case "set-plan":
		err = e.setPlan(ctx, *customer, *daily)
	case "grant-trial":
		err = e.grantTrial(ctx, *customer)
	case "rotate-dkim":
		err = e.rotateDKIM(ctx, *selector, fs.Arg(0))
	case "warm-reputation":
		err = e.warmReputation(ctx, fs.Arg(0))
	case "purge-greylist":
		err = e.purgeGreylist(ctx)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func (e *env) exportSuppressions(ctx context.Context, customer string) error {
	w := csv.NewWriter(os.Stdout)
	defer w.Flush()
	_ = w.Write([]string{"key", "reason", "status", "at"})
	api, acct := e.client.API(), e.client.Account()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: e.supp, Prefix: "supp:" + customer + ":", Limit: 1000}
	for {
		resp, err := api.ListWorkersKVKeys(ctx, acct, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			raw, err := api.GetWorkersKV(ctx, acct, cloudflare.GetWorkersKVParams{NamespaceID: e.supp, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				return err
			}
			var s struct {
				Reason string    `json:"reason"`
				Status string    `json:"status"`
				At     time.Time `json:"at"`
			}
			_ = json.Unmarshal(raw, &s)
			_ = w.Write([]string{k.Name, s.Reason, s.Status, s.At.Format(time.RFC3339)})
		}
		if resp.Cursor == "" {
			return nil
		}
		params.Cursor = resp.Cursor
	}
}

// importNotice is attached to every imported entry so that the data
// protection team can answer "why is this address suppressed".
const importNotice = "Imported by an operator from a customer-supplied suppression list " +
	"during migration from a previous email service provider. The customer has confirmed " +
	"that each address on the list either unsubscribed, hard-bounced or filed a spam complaint " +
	"with the previous provider, and that the list was exported no more than thirty days " +
	"before import. Kahu does not hold the original evidence; requests for erasure or " +
	"access under GDPR Article 15 or 17 must be forwarded to the customer as controller. " +
	"Entries imported this way are excluded from automatic expiry and from the bounce " +
	"history shown in the dashboard. To remove an entry, use the dashboard's suppression " +
	"page or the DELETE /v1/suppressions endpoint; do not delete keys by hand, because the " +
	"per-customer index used for paging would then list an address that no longer exists. " +
	"Questions about this import go to the deliverability team channel, not to support. " +
	"Reference: runbook DEL-114, section 3 (bulk suppression imports), revision 7. " +
	"Imports made before the 2024 provider migration carry no notice and are not covered by it."

func (e *env) importSuppressions(ctx context.Context, customer, path string, ttl time.Duration) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var pairs []*cloudflare.WorkersKVPair
	sc := bufio.NewScanner(f)
	now := time.Now().UTC()
	for sc.Scan() {
		addr := strings.TrimSpace(sc.Text())
		if addr == "" || strings.HasPrefix(addr, "#") {
			continue
		}
		v, _ := json.Marshal(map[string]any{"reason": "imported", "at": now, "source": "import"})
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           policy.SuppressionKey(customer, addr),
			Value:         string(v),
			ExpirationTTL: int(ttl.Seconds()),
			Metadata: map[string]string{ // EXPECT kvlimits
				"customer": customer,
				"notice":   importNotice,
			},
		})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	ns := e.client.Namespace(e.supp)
	done := 0
	for batch := range slices.Chunk(pairs, 20000) { // EXPECT kvlimits
		if err := ns.WriteBatch(ctx, batch); err != nil {
			return fmt.Errorf("after %d entries: %w", done, err)
		}
		done += len(batch)
		progress, _ := json.Marshal(map[string]any{"customer": customer, "done": done, "total": len(pairs)})
		_ = ns.Put(ctx, "import:progress:"+customer, progress) // DEBATABLE kvhotkey
	}
	log.Printf("imported %d suppressions for %s", done, customer)
	return nil
}

func (e *env) auditDomains(ctx context.Context) error {
	resp, err := e.client.API().ListWorkersKVKeys(ctx, e.client.Account(), cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: e.domain,
		Prefix:      "domain:",
		Limit:       1000,
	})
	if err != nil {
		return err
	}
	var verified []string
	for _, k := range resp.Result {
		if strings.HasPrefix(k.Name, "domain:neg:") {
			continue
		}
		verified = append(verified, strings.TrimPrefix(k.Name, "domain:"))
	}
	slices.Sort(verified)
	fmt.Printf("%d verified sending domains\n", len(verified))
	for _, d := range verified {
		fmt.Println(d)
	}
	return nil
}

type plan struct {
	Name       string    `json:"name"`
	DailyLimit int       `json:"daily_limit"`
	UpdatedAt  time.Time `json:"updated_at"`
	UpdatedBy  string    `json:"updated_by"`
	TrialUntil time.Time `json:"trial_until,omitzero"`
}

func (e *env) setPlan(ctx context.Context, customer string, daily int) error {
	if customer == "" || daily <= 0 {
		return errors.New("set-plan: -customer and -daily are required")
	}
	ns := e.client.Namespace(e.limits)
	key := "plan:" + customer
	var p plan
	raw, err := ns.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		p = plan{Name: "custom"}
	} else if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	p.DailyLimit = daily
	p.UpdatedAt = time.Now().UTC()
	p.UpdatedBy = os.Getenv("USER")
	b, _ := json.Marshal(p)
	return ns.Put(ctx, key, b) // EXPECT kvrace
}

func (e *env) grantTrial(ctx context.Context, customer string) error {
	b, _ := json.Marshal(plan{Name: "trial", DailyLimit: 500, UpdatedAt: time.Now().UTC(), TrialUntil: time.Now().Add(14 * 24 * time.Hour)})
	_, err := e.client.API().WriteWorkersKVEntries(ctx, e.client.Account(), cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: e.limits,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "trial:" + customer,
			Value:      string(b),
			Expiration: int(time.Now().Add(14 * 24 * time.Hour).UnixMilli()), // EXPECT kvttl
		}},
	})
	return err
}

func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out, nil
}

func (e *env) rotateDKIM(ctx context.Context, selector, path string) error {
	domains, err := readLines(path)
	if err != nil {
		return err
	}
	ns := e.client.Namespace(e.domain)
	for _, d := range domains {
		rec, _ := json.Marshal(map[string]string{"selector": selector, "rotated_at": time.Now().UTC().Format(time.RFC3339)})
		if err := ns.Put(ctx, "dkim:"+d, rec); err != nil {
			return err
		}
		if err := ns.Put(ctx, "dkim:rotation-cursor", []byte(d)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// warmReputation precomputes reputation entries so that the first messages
// after a deploy do not all miss the cache.
func (e *env) warmReputation(ctx context.Context, path string) error {
	domains, err := readLines(path)
	if err != nil {
		return err
	}
	ns := e.client.Namespace(e.cache)
	for _, d := range domains {
		b, _ := json.Marshal(map[string]any{"b": 0, "c": 0, "n": 0})
		if _, err := ns.Remember(ctx, "rep:"+d, 30*time.Second, func(context.Context) ([]byte, error) { return b, nil }); err != nil {
			return err
		}
		if err := ns.PutTTL(ctx, "rep:warm:"+d, []byte(time.Now().UTC().Format(time.RFC3339)),
			30*time.Second); err != nil { // EXPECT kvttl
			return err
		}
	}
	return nil
}

func (e *env) purgeGreylist(ctx context.Context) error {
	const maxPages = 50
	ns := e.client.Namespace(e.grey)
	cursor := ""
	for page := 0; page < maxPages; page++ {
		p, err := ns.ListPage(ctx, "grey:", cursor, 1000)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(p.Keys))
		for _, k := range p.Keys {
			if !strings.HasPrefix(k.Name, "grey:ok:") {
				keys = append(keys, k.Name)
			}
		}
		if len(keys) > 0 {
			if _, err := e.client.API().DeleteWorkersKVEntries(ctx, e.client.Account(), cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: e.grey, Keys: keys}); err != nil {
				return err
			}
		}
		if p.Cursor == "" {
			return nil
		}
		cursor = p.Cursor
	}
	log.Printf("purge-greylist: stopped after %d pages; run again to continue", maxPages)
	return nil
}
