// Command barbet-sweeper runs barbet's periodic KV maintenance: expiring
// unused tickets, mirroring the catalog to the edge and counting open tickets
// for the billing export. Kubernetes runs it as a CronJob every 10 minutes.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"github.com/barbet-video/barbet/internal/kvstore"
)

// placeholderPoster is shown by the edge player until the real poster loads.
const placeholderPoster = "data:image/webp;base64,UklGRj4DAABXRUJQVlA4IFLyJmWmDBLSiRhdlQ7ogTYJFm9rET0XjWwP05Af8jmhoJXyD5OVZ" +
	"Qz5OAuO2yJKaySKHpJOj9CuLhqUkqMwXxiMthCQD540f66IbcZQd5XsdFxMP8sussc+FJNMhn7gV7pySZv6Eh6DayrBVybuf" +
	"WsK9qsTw46SyuDRUFexWZh/lMx0EdcX8UV5sqoQD7uzT6WT/q7Scki3YuOrWAXwdlornB1+DzfESSG9P2Vk6t9/FCpyZoxH4" +
	"iPRbt2MR7Rq/Fuu4mH1OyYVLSY7qDsDfNSWLkNIASVriF6ckFHzILDbg/Oep629DXTm3sfz367Mj2RlZmQae6JmDzAR/DVwK" +
	"RxXmQ0aAJEmiRnyXZ0GEt81nWAmokD0WJpdeR8d2Xz++nd6e08VJBq/V71DetSxKYQFNPPzh1wlsIvqBsKHTPqk3Rey2EKEX" +
	"egqW8U5iIrHgFSiOZzPyfzC2jHOPdFmvc06M4R+W7sH/QfKR3hCMbGa9Fhyzu+5/Fn0+V0UOBo6eDJWNHuf/Oac1wB66KdYz" +
	"KQV1ake6GPItsAzeuMtb8qiVRbN8vi4ZXZmvvIVuSgr/iAHJpfnd86nJZzTmPp5qO9ZJ4yMIQUDzPi5phqGv+8jb/zfMdPfN" +
	"gdANkqAPcOWU0KLa9UhD+i9WuV1qZXQ54Rr0+rggCGIJoaCBN9wxi6bAcbMJiwkeZ65Ho4PU66Eh457yMYb4o8OPzBGCsUZg" +
	"XOPB8Lk6RBxU5z5gZuDM7FGc4KIznqB8T+yheDg8e1C7I/k8TPXciNqH2RxUBKrPW0SNqtNyB/lxifwt6SpXSRA4iP3dzi/8" +
	"xhl4nwp/arVOSm0bv6DZ1ZrMltRF7hdBFaNdXC0BGJUhJ9Lg/UQHPzryTr44BoVQ0UK58cuRcEh0WzZ6a3R8kJnJonrg5J+s" +
	"1MWRw7MsC5s5RJE8ASiFs1CFZvbOBFD3B90Alb+jWrt6kSfIQuGtT3wHPgpQwwuM+5PoE6HwjRKcoCsLUVYzQT+QAkDBLuBj" +
	"fowg3k+73IbqNGmbqh+i9XjZPiBTrA3+zpXMtXhtLqiI2f9WPsN1iEDEqC94UFuKQ4Vqtdh3oGr+EiZPrE="

const (
	catalogTTL  = 7 * 24 * time.Hour
	usageShards = 16384
	maxPages    = 20
)

type sweeper struct {
	api       *cloudflare.Client
	accountID string
	tickets   string
	edge      string
	log       *slog.Logger
	ns        *kvstore.Namespace
	edgeNS    *kvstore.Namespace
}

func main() {
	task := flag.String("task", "all", "tickets | catalog | count | shards | all")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	s := &sweeper{
		api:       api,
		accountID: os.Getenv("CF_ACCOUNT_ID"),
		tickets:   os.Getenv("KV_TICKETS"),
		edge:      os.Getenv("KV_EDGE"),
		log:       log,
	}
	s.ns = kvstore.Open(api, s.accountID, s.tickets)
	s.edgeNS = kvstore.Open(api, s.accountID, s.edge)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch *task {
	case "tickets":
		err = s.expireTickets(ctx)
	case "catalog":
		err = s.mirrorCatalog(ctx)
	case "count":
		err = s.countOpenTickets(ctx)
	case "shards":
		err = s.seedShards(ctx)
	case "all":
		for _, f := range []func(context.Context) error{s.expireTickets, s.mirrorCatalog, s.countOpenTickets} {
			if err = f(ctx); err != nil {
				break
			}
		}
	default:
		err = fmt.Errorf("unknown task %q", *task)
	}
	if err != nil {
		log.Error("sweep failed", "task", *task, "err", err)
		os.Exit(1)
	}
	if err := s.ns.Put(ctx, "sweeper/last-run", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil {
		log.Warn("last run not stamped", "err", err)
	}
}

// expireTickets deletes tickets whose deadline passed but whose KV expiry was
// set generously by older API versions.
func (s *sweeper) expireTickets(ctx context.Context) error {
	iter := s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.tickets, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F("ticket/"),
		Limit:     cloudflare.F(1000.0),
	})
	deleted := 0
	for iter.Next() {
		k := iter.Current()
		if deadline, ok := k.Metadata["deadline"].(float64); ok && time.Unix(int64(deadline), 0).Before(time.Now()) {
			if err := s.ns.Delete(ctx, k.Name); err != nil {
				return err
			}
			deleted++
		}
		if err := s.ns.Put(ctx, "sweeper/checkpoint", []byte(k.Name), 24*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	s.log.Info("tickets swept", "deleted", deleted)
	return iter.Err()
}

// mirrorCatalog copies ready uploads' public facts to the edge namespace so
// the Worker can render the player page without calling the API.
func (s *sweeper) mirrorCatalog(ctx context.Context) error {
	cursor := ""
	for page := 0; page < maxPages; page++ {
		keys, next, err := s.ns.Page(ctx, "manifest/", cursor, 1000)
		if err != nil {
			return err
		}
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(keys))
		for _, k := range keys {
			id := strings.TrimPrefix(k.Name, "manifest/")
			etag, _ := k.Metadata["etag"].(string)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F("catalog/" + id),
				Value:         cloudflare.F(fmt.Sprintf(`{"id":%q,"manifest":"/m/%s"}`, id, id)),
				ExpirationTTL: cloudflare.F(float64(catalogTTL)), // EXPECT kvttl
				Metadata: cloudflare.F(map[string]interface{}{ // EXPECT kvlimits
					"etag":   etag,
					"poster": placeholderPoster,
				}),
			})
		}
		if len(body) > 0 {
			if _, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.edge, kv.NamespaceBulkUpdateParams{
				AccountID: cloudflare.F(s.accountID),
				Body:      body,
			}); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	s.log.Warn("catalog mirror stopped at page budget", "pages", maxPages)
	return nil
}

// countOpenTickets records how many tickets each account holds, for billing.
func (s *sweeper) countOpenTickets(ctx context.Context) error {
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.tickets, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F("ticket/"),
	})
	if err != nil {
		return err
	}
	perAccount := map[string]int{}
	for _, k := range page.Result {
		if acct, ok := k.Metadata["account"].(string); ok {
			perAccount[acct]++
		}
	}
	entries := make([]kvstore.Entry, 0, len(perAccount))
	for acct, n := range perAccount {
		entries = append(entries, kvstore.Entry{Key: "count/tickets/" + acct, Value: strconv.Itoa(n), TTL: time.Hour})
	}
	return s.ns.WriteMany(ctx, entries) // DEBATABLE kvcounter
}

// seedShards creates the zeroed usage shards that the billing aggregator
// reads; run once per namespace.
func (s *sweeper) seedShards(ctx context.Context) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, usageShards)
	for i := range usageShards {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("usage/shard/%05d", i)),
			Value: cloudflare.F("0"),
		})
	}
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.tickets, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.accountID), Body: body}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	probe, err := s.api.KV.Namespaces.Keys.List(ctx, s.tickets, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F("usage/shard/"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	s.log.Info("shards seeded", "sample", len(probe.Result), "more", probe.ResultInfo.Cursor != "")
	return nil
}
