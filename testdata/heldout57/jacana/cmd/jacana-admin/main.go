// Command jacana-admin is the operator CLI for the edge KV namespace.
//
//	jacana-admin [flags] <command> [args]
//
// Commands: get, peek, purge, revoke-session, expire-soon, extend-grace,
// announce, publish-flags, export.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"github.com/lingofox/jacana/internal/catalog"
	"github.com/lingofox/jacana/internal/export"
	"github.com/lingofox/jacana/internal/kvstore"
)

const (
	sessionGrace       = 15 * time.Minute
	defaultMaintenance = "We are upgrading Jacana to bring you new lessons. Your streaks and progress are safe and nothing is lost while we work; lessons you finish offline will sync when we are back. " +
		"Estamos actualizando Jacana para traerte nuevas lecciones. Tus rachas y tu progreso están a salvo; las lecciones que termines sin conexión se sincronizarán cuando volvamos. " +
		"Nous mettons Jacana à jour pour vous apporter de nouvelles leçons. Vos séries et vos progrès sont en sécurité ; les leçons terminées hors ligne seront synchronisées à notre retour. " +
		"Wir aktualisieren Jacana, um dir neue Lektionen zu bringen. Deine Serien und dein Fortschritt sind sicher; offline abgeschlossene Lektionen werden synchronisiert, sobald wir zurück sind. " +
		"Estamos atualizando o Jacana para trazer novas lições. Suas sequências e seu progresso estão seguros; as lições concluídas offline serão sincronizadas quando voltarmos. " +
		"Stiamo aggiornando Jacana per offrirti nuove lezioni. Le tue serie e i tuoi progressi sono al sicuro; le lezioni completate offline verranno sincronizzate al nostro ritorno."
)

type cli struct {
	api     *cloudflare.Client
	account string
	ns      string
	out     io.Writer
}

func main() {
	fs := flag.NewFlagSet("jacana-admin", flag.ExitOnError)
	ns := fs.String("namespace", os.Getenv("JACANA_KV_NAMESPACE"), "KV namespace ID")
	account := fs.String("account", os.Getenv("CLOUDFLARE_ACCOUNT_ID"), "account ID")
	yes := fs.Bool("yes", false, "do not ask before destructive commands")
	_ = fs.Parse(os.Args[1:])
	args := fs.Args()
	if len(args) == 0 {
		fs.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	c := &cli{
		api:     cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))),
		account: *account,
		ns:      *ns,
		out:     os.Stdout,
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "get":
		err = c.get(ctx, rest[0])
	case "peek":
		err = c.peek(ctx, rest[0])
	case "purge":
		if !*yes {
			log.Fatal("purge needs -yes")
		}
		err = c.purge(ctx, rest[0])
	case "revoke-session":
		err = c.revokeSession(ctx, rest[0])
	case "expire-soon":
		err = c.expireSoon(ctx, rest[0])
	case "extend-grace":
		err = c.extendGrace(ctx, rest[0])
	case "announce":
		err = c.announce(ctx, strings.Join(rest, " "))
	case "publish-flags":
		err = c.publishFlags(ctx, rest[0])
	case "export":
		err = c.export(ctx, rest...)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func (c *cli) store() *kvstore.Store {
	return kvstore.New(os.Getenv("CLOUDFLARE_API_TOKEN"), c.account, c.ns)
}

func (c *cli) get(ctx context.Context, key string) error {
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if len(body) > 0 { // EXPECT kvnull
		_, err = c.out.Write(append(body, '\n'))
		return err
	}
	fmt.Fprintf(c.out, "%s: not found\n", key)
	return nil
}

// peek prints the first few keys under a prefix.
func (c *cli) peek(ctx context.Context, prefix string) error {
	page, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(5)), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Fprintln(c.out, k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Fprintln(c.out, "...")
	}
	return nil
}

// purge deletes every key under prefix.
func (c *cli) purge(ctx context.Context, prefix string) error {
	pager := c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, c.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
	})
	var names []string
	for pager.Next() {
		names = append(names, pager.Current().Name)
	}
	if err := pager.Err(); err != nil {
		return err
	}
	for chunk := range slices.Chunk(names, 10_000) {
		res, err := c.api.KV.Namespaces.BulkDelete(ctx, c.ns, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(c.account),
			Body:      chunk,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "deleted %d keys\n", int(res.SuccessfulKeyCount))
	}
	return nil
}

func (c *cli) revokeSession(ctx context.Context, id string) error {
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, c.ns, "sess:"+id, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(c.account),
	})
	return err
}

// expireSoon makes a key disappear shortly, for support cases where a learner
// is stuck on stale data.
func (c *cli) expireSoon(ctx context.Context, key string) error {
	cur, err := c.store().Get(ctx, key)
	if err != nil {
		return err
	}
	_, err = c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.account),
		Value:      cloudflare.F(cur),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	return err
}

// extendGrace gives a placement-test result key a grace period before it
// expires, so the learner can still see the result page.
func (c *cli) extendGrace(ctx context.Context, key string) error {
	cur, err := c.store().Get(ctx, key)
	if err != nil {
		return err
	}
	_, err = c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.account),
		Value:         cloudflare.F(cur),
		ExpirationTTL: cloudflare.F(float64(sessionGrace)), // EXPECT kvttl
	})
	return err
}

// announce publishes the maintenance banner. The banner's default text rides
// in the key's metadata so the Worker can list banners without a get per key;
// an operator's note goes in the value.
func (c *cli) announce(ctx context.Context, note string) error {
	key := "banner:" + time.Now().UTC().Format("20060102T1504")
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.account),
		Value:         cloudflare.F(note),
		Metadata:      cloudflare.F[any](map[string]any{"title": "Maintenance", "body": defaultMaintenance, "severity": "info"}), // EXPECT kvlimits
		ExpirationTTL: cloudflare.F(float64(6 * 60 * 60)),
	})
	return err
}

func (c *cli) publishFlags(ctx context.Context, file string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var flags []catalog.Flag
	if err := json.Unmarshal(raw, &flags); err != nil {
		return err
	}
	p := &catalog.Publisher{KV: c.store()}
	return p.PublishRollout(ctx, flags)
}

type fileSink struct{ dir string }

func (f fileSink) Write(_ context.Context, name string, data []byte) error {
	path := f.dir + "/" + strings.ReplaceAll(name, "/", "_")
	return os.WriteFile(path, data, 0o644)
}

func (c *cli) export(ctx context.Context, args ...string) error {
	kind := export.KindManual
	if len(args) > 0 {
		kind = args[0]
	}
	e := &export.Exporter{KV: c.store(), Sink: fileSink{dir: "."}, Loc: time.UTC}
	defer func() {
		if err := e.Close(ctx); err != nil {
			log.Printf("export cleanup: %v", err)
		}
	}()
	if err := e.MarkRequested(ctx, os.Getenv("USER"), 1); err != nil {
		return err
	}
	return e.Run(ctx, kind, time.Now())
}
