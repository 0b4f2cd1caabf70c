// Command kvadmin is the operators' tool for the courier's KV namespaces.
//
//	kvadmin export  -prefix prod:trk: > links.jsonl
//	kvadmin import  < links.jsonl
//	kvadmin rotate  -key prod:secret:sms-gateway -value ...
//	kvadmin defaults
//	kvadmin announce -notice holiday
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	cfoption "github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/cloudflare/cloudflare-go/v4/shared"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: kvadmin <export|import|rotate|defaults|announce> [flags]")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	key := fs.String("key", "", "key")
	value := fs.String("value", "", "value")
	notice := fs.String("notice", "", "built-in notice name")
	timeout := fs.Duration("timeout", 10*time.Minute, "overall deadline")
	envPrefix := fs.String("env", "prod:", "deployment key prefix")
	if err := fs.Parse(args); err != nil {
		usage()
	}

	token, account := os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	primary, audit := os.Getenv("KV_HOT_NAMESPACE"), os.Getenv("KV_AUDIT_NAMESPACE")
	if token == "" || account == "" || primary == "" {
		log.Fatal("CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and KV_HOT_NAMESPACE are required")
	}
	api := cloudflare.NewClient(cfoption.WithAPIToken(token))
	adm := newAdmin(api, account, primary, withAudit(audit, *envPrefix+"audit:"))

	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(*timeout))
	defer cancel()

	var err error
	switch cmd {
	case "export":
		var n int
		w := bufio.NewWriter(os.Stdout)
		defer func() {
			if ferr := w.Flush(); ferr != nil {
				log.Printf("flush: %v", ferr)
			}
		}()
		n, err = adm.Export(ctx, w, *prefix)
		log.Printf("exported %d pairs", n)
	case "import":
		err = runImport(ctx, adm)
	case "rotate":
		if *key == "" || *value == "" {
			usage()
		}
		err = adm.Rotate(ctx, *key, *value)
	case "defaults":
		err = adm.PublishDefaults(ctx, defaults(*envPrefix))
	case "announce":
		switch *notice {
		case "holiday":
			err = adm.Announce(ctx, holidayNotice, 72*time.Hour) // EXPECT kvlimits
		default:
			usage()
		}
	default:
		usage()
	}
	if err != nil {
		log.Fatalf("%s: %v", cmd, err)
	}
}

func runImport(ctx context.Context, adm *Admin) error {
	var pairs []Pair
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 0, 1<<20), 32<<20)
	for sc.Scan() {
		var p Pair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return fmt.Errorf("line %d: %w", len(pairs)+1, err)
		}
		pairs = append(pairs, p)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	n, failed, err := adm.Import(ctx, pairs)
	log.Printf("imported %d of %d pairs, %d failed", n, len(pairs), len(failed))
	return err
}

// defaults are the configuration documents every deployment needs.
func defaults(prefix string) []Default {
	var out []Default
	for _, t := range []struct {
		key   string
		value string
		ttl   time.Duration
	}{
		{"config:cutoff", "14:00", 0},
		{"config:service-days", `["mon","tue","wed","thu","fri","sat"]`, 0},
		{"config:pin-required-over", "250.00", 0},
		{"config:surge-notice", "Deliveries may run late today due to high volume.", 12 * time.Hour},
		{"config:depot-closed-banner", "Your local depot is closed today; parcels will arrive tomorrow.", 18 * time.Hour},
	} {
		out = append(out, Default{Key: prefix + t.key, Value: t.value, TTL: t.ttl})
	}
	return out
}

// importBatch is how many pairs each import request carries.
const importBatch = 20_000

// Pair is one exported or imported key.
type Pair struct {
	Key        string         `json:"key"`
	Value      string         `json:"value"`
	Expiration int64          `json:"expiration,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
}

// Admin holds the client and the two namespaces operators work on: the
// primary store and the audit store.
type Admin struct {
	api         *cloudflare.Client
	account     string
	primary     string
	audit       string
	auditPrefix string
}

// option configures an Admin.
type option interface{ apply(*Admin) }

type auditOption struct{ ns, prefix string }

func (o auditOption) apply(a *Admin) { a.audit, a.auditPrefix = o.ns, o.prefix }

// withAudit routes keys starting with prefix to the audit namespace.
func withAudit(namespace, prefix string) option { return auditOption{ns: namespace, prefix: prefix} }

func newAdmin(api *cloudflare.Client, account, primary string, opts ...option) *Admin {
	a := &Admin{api: api, account: account, primary: primary}
	for _, o := range opts {
		o.apply(a)
	}
	return a
}

func (a *Admin) nsFor(key string) string {
	if a.audit != "" && a.auditPrefix != "" && strings.HasPrefix(key, a.auditPrefix) {
		return a.audit
	}
	return a.primary
}

func (a *Admin) put(ctx context.Context, key, value string, ttl time.Duration) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.account),
		Value:     cloudflare.F(value),
	}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := a.api.KV.Namespaces.Values.Update(ctx, a.nsFor(key), key, p)
	return err
}

func (a *Admin) fetch(ctx context.Context, key string) (*http.Response, error) {
	return a.api.KV.Namespaces.Values.Get(ctx, a.nsFor(key), key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(a.account)})
}

// Import writes pairs into the primary namespace.
func (a *Admin) Import(ctx context.Context, pairs []Pair) (written int, failed []string, err error) {
	for batch := range slices.Chunk(pairs, importBatch) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, p := range batch {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(p.Key), Value: cloudflare.F(p.Value)}
			if p.Expiration > time.Now().Add(time.Minute).Unix() {
				b.Expiration = cloudflare.F(float64(p.Expiration))
			}
			if p.Metadata != nil {
				b.Metadata = cloudflare.F[any](p.Metadata)
			}
			body = append(body, b)
		}
		res, err := a.api.KV.Namespaces.BulkUpdate(ctx, a.primary, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(a.account), Body: body}) // EXPECT kvlimits
		if err != nil {
			return written, failed, err
		}
		written += int(res.SuccessfulKeyCount)
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return written, failed, nil
}

// Export writes every pair under prefix to w as JSON lines.
func (a *Admin) Export(ctx context.Context, w io.Writer, prefix string) (int, error) {
	ns := a.nsFor(prefix)
	iter := a.api.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	var names []string
	expiry := map[string]int64{}
	for iter.Next() {
		k := iter.Current()
		names = append(names, k.Name)
		if k.Expiration > 0 {
			expiry[k.Name] = int64(k.Expiration)
		}
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	n := 0
	for batch := range slices.Chunk(names, 100) {
		res, err := a.api.KV.Namespaces.BulkGet(ctx, ns, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(a.account),
			Keys:      cloudflare.F(batch),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return n, err
		}
		values, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			return n, fmt.Errorf("export: unexpected bulk response")
		}
		for _, name := range batch {
			v, ok := values.Values[name].(shared.UnionString)
			if !ok {
				continue
			}
			if err := enc.Encode(Pair{Key: name, Value: string(v), Expiration: expiry[name]}); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// archiveTTL keeps the previous value of a rotated secret for rollback.
const archiveTTL = 14 * 24 * time.Hour

// Rotate replaces a secret and archives the previous value in the audit
// namespace.
func (a *Admin) Rotate(ctx context.Context, key, value string) error {
	res, err := a.api.KV.Namespaces.Values.Get(ctx, a.nsFor(key), key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(a.account)}) // EXPECT kvnull
	if err == nil {
		old, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		archived := fmt.Sprintf("%sprev:%s:%d", a.auditPrefix, key, time.Now().Unix())
		if err := a.put(ctx, archived, string(old), archiveTTL); err != nil {
			return fmt.Errorf("rotate: archive: %w", err)
		}
	}
	return a.put(ctx, key, value, 0) // DEBATABLE kvsession
}

// Default is a configuration document the edge expects to exist.
type Default struct {
	Key   string
	Value string
	TTL   time.Duration
}

// PublishDefaults writes configuration documents, keeping a copy of what each
// one replaced.
func (a *Admin) PublishDefaults(ctx context.Context, docs []Default) error {
	for _, d := range docs {
		res, err := a.fetch(ctx, d.Key) // EXPECT kvnull
		if err == nil {
			old, rerr := io.ReadAll(res.Body)
			res.Body.Close()
			if rerr == nil && string(old) != d.Value {
				if err := a.put(ctx, a.auditPrefix+"prev:"+d.Key, string(old), archiveTTL); err != nil {
					return err
				}
			}
		}
		if err := a.put(ctx, d.Key, d.Value, d.TTL); err != nil {
			return fmt.Errorf("publish %s: %w", d.Key, err)
		}
	}
	return nil
}

// Announce posts a broadcast to every handheld. Identical texts share a key
// so a repeated announcement is not shown twice.
func (a *Admin) Announce(ctx context.Context, text string, lifetime time.Duration) error {
	return a.put(ctx, "broadcast:"+text, time.Now().UTC().Format(time.RFC3339), max(lifetime, time.Hour))
}

// holidayNotice is broadcast to every handheld before bank holidays.
const holidayNotice = "Bank holiday schedule: depots close at 14:00 on Friday and reopen at 06:00 on Tuesday. " +
	"Routes for Saturday are merged into Friday's first wave; check the handheld for your revised stop list " +
	"before leaving the yard. Same-day parcels collected after 12:00 on Friday roll over to Tuesday and their " +
	"recipients have been told. Cold-chain parcels must be delivered on Friday or returned to depot the same " +
	"day; do not keep them in the van over the weekend. Vans must be parked inside the depot compound, fuelled " +
	"above half a tank, with handhelds docked and charging. Overtime for the Friday wave has been approved by " +
	"the regional lead; record it on the handheld at the end of your shift. Thank you for the extra effort."
