// Command pelican-admin runs maintenance tasks against the edge namespace.
//
//	pelican-admin sweep|export|audit|reindex|gc-sessions|publish-spec
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/glebarez/sqlite"
	"gorm.io/gorm"

	"github.com/pelicanhq/pelican/internal/keys"
	"github.com/pelicanhq/pelican/internal/kvstore"
	"github.com/pelicanhq/pelican/internal/models"
)

const (
	maxAuditPages = 20
	reindexChunk  = 20_000
	gcPageBudget  = 50
)

type app struct {
	db    *gorm.DB
	store *kvstore.Store
	cf    *cloudflare.Client
	acct  string
	ns    string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pelican-admin sweep|export|audit|reindex|gc-sessions|publish-spec")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	db, err := gorm.Open(sqlite.Open(envOr("PELICAN_DB", "pelican.db")), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	a := &app{
		db:   db,
		cf:   cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))),
		acct: os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		ns:   os.Getenv("PELICAN_KV_NAMESPACE"),
	}
	a.store = kvstore.New(a.cf, a.acct, a.ns)

	switch os.Args[1] {
	case "sweep":
		err = a.sweep(ctx)
	case "export":
		err = a.export(ctx, os.Stdout)
	case "audit":
		err = a.audit(ctx)
	case "reindex":
		err = a.reindex(ctx)
	case "gc-sessions":
		err = a.gcSessions(ctx)
	case "publish-spec":
		err = a.publishSpec(ctx, os.Args[2:])
	case "peek":
		err = a.peek(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// sweep deletes edge records of keys that no longer exist in the database.
func (a *app) sweep(ctx context.Context) error {
	cursor := ""
	removed := 0
	for {
		page, next, err := a.store.ListPage(ctx, "ak:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page {
			hash := strings.TrimPrefix(k.Name, "ak:")
			var n int64
			if err := a.db.WithContext(ctx).Model(&models.APIKey{}).Where("hash = ?", hash).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				if err := a.store.Delete(ctx, k.Name); err != nil {
					return err
				}
				removed++
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	log.Printf("sweep: removed %d orphaned keys", removed)
	return nil
}

// export writes every key name and expiration as JSON lines.
func (a *app) export(ctx context.Context, w *os.File) error {
	iter := a.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, a.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.acct),
		Limit:     cloudflare.F(1000.0),
	})
	enc := json.NewEncoder(w)
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(map[string]any{"name": k.Name, "expiration": k.Expiration}); err != nil {
			return err
		}
	}
	return iter.Err()
}

// audit compares published plan records with the database.
func (a *app) audit(ctx context.Context) error {
	cursor := ""
	for page := 0; page < maxAuditPages; page++ {
		names, next, err := a.store.ListPage(ctx, "plan:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range names {
			var edge models.EdgePlan
			if err := a.store.GetJSON(ctx, k.Name, &edge); err != nil { // EXPECT kvlist
				log.Printf("audit: %s: %v", k.Name, err)
				continue
			}
			var p models.Plan
			if err := a.db.WithContext(ctx).Where("code = ?", edge.Code).First(&p).Error; err != nil {
				log.Printf("audit: %s: not in database", edge.Code)
				continue
			}
			if p.RequestsPerMinute != edge.PerMinute || p.RequestsPerDay != edge.PerDay {
				log.Printf("audit: %s: edge %d/%d, db %d/%d", p.Code, edge.PerMinute, edge.PerDay, p.RequestsPerMinute, p.RequestsPerDay)
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	log.Printf("audit: stopped after %d pages", maxAuditPages)
	return nil
}

// reindex republishes every active key from the database.
func (a *app) reindex(ctx context.Context) error {
	const lockKey = "lock:reindex"
	if _, err := a.store.Get(ctx, lockKey); err == nil {
		return errors.New("reindex: another reindex is running")
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	host, _ := os.Hostname()
	if err := a.store.Put(ctx, lockKey, []byte(host), time.Hour); err != nil { // EXPECT kvrace
		return err
	}
	defer a.store.Delete(context.Background(), lockKey)

	var ks []models.APIKey
	if err := a.db.WithContext(ctx).Scopes(keys.Active).Find(&ks).Error; err != nil {
		return err
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(ks))
	for _, k := range ks {
		rec, _ := json.Marshal(models.EdgeKey{KeyID: k.ID, DeveloperID: k.DeveloperID, Plan: k.PlanCode, Scopes: k.Scopes, Status: "active"})
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(models.KeyName(k.Hash)),
			Value: cloudflare.F(string(rec)),
		})
	}
	for start := 0; start < len(body); start += reindexChunk {
		chunk := body[start:min(start+reindexChunk, len(body))]
		res, err := a.cf.KV.Namespaces.BulkUpdate(ctx, a.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(a.acct), Body: chunk}) // EXPECT kvlimits
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			log.Printf("reindex: %d keys failed, first %s", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
	}
	return nil
}

// gcSessions deletes edge sessions whose database row is gone, a bounded
// number of pages per run.
func (a *app) gcSessions(ctx context.Context) error {
	cursor := ""
	var stale []string
	for page := 0; page < gcPageBudget; page++ {
		names, next, err := a.store.ListPage(ctx, "sess:", cursor, 1000)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(names))
		for _, k := range names {
			ids = append(ids, strings.TrimPrefix(k.Name, "sess:"))
		}
		var live []string
		if err := a.db.WithContext(ctx).Model(&models.Session{}).Where("id IN ?", ids).Pluck("id", &live).Error; err != nil {
			return err
		}
		alive := make(map[string]bool, len(live))
		for _, id := range live {
			alive[id] = true
		}
		for _, id := range ids {
			if !alive[id] {
				stale = append(stale, "sess:"+id)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for start := 0; start < len(stale); start += 10_000 {
		_, err := a.cf.KV.Namespaces.BulkDelete(ctx, a.ns, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(a.acct),
			Body:      stale[start:min(start+10_000, len(stale))],
		})
		if err != nil {
			return err
		}
	}
	log.Printf("gc-sessions: removed %d", len(stale))
	return nil
}

// specVariant names the OpenAPI rendering the edge serves to the docs site.
const specVariant = "v1/openapi.json?audience=public&format=json&include=keys,plans,quotas,usage,sessions,developers,webhooks,billing,audit" +
	"&expand=keys.scopes,keys.plan,keys.plan.limits,plans.limits,plans.trial,usage.daily,usage.hourly,usage.by_endpoint,usage.by_status" +
	"&servers=https%3A%2F%2Fapi.pelican.dev%2Fv1,https%3A%2F%2Fsandbox.pelican.dev%2Fv1,https%3A%2F%2Feu.api.pelican.dev%2Fv1" +
	"&examples=true&deprecated=false&x-codegen=go,typescript,python,ruby,java,csharp,php,rust,kotlin,swift" +
	"&security=bearer,apiKeyHeader&tags=Keys,Plans,Quotas,Usage,Sessions,Developers,Webhooks,Billing,Audit,Health&locale=en-US"

// publishSpec uploads the rendered OpenAPI document for the edge to serve.
func (a *app) publishSpec(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("publish-spec: want a file name")
	}
	spec, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	return a.store.Put(ctx, "spec:"+specVariant, spec, 0) // EXPECT kvlimits
}

// peek prints the first page of keys under a prefix and says whether more
// remain.
func (a *app) peek(ctx context.Context, args []string) error {
	prefix := ""
	if len(args) > 0 {
		prefix = args[0]
	}
	names, next, err := a.store.ListPage(ctx, prefix, "", 100)
	if err != nil {
		return err
	}
	for _, k := range names {
		fmt.Println(k.Name)
	}
	if next != "" {
		fmt.Printf("... more keys; continue with cursor %s\n", next)
	}
	return nil
}
