// Command kdadmin is the operator tool for the game's KV namespaces.
//
//	kdadmin [-ns ID] revoke <player.session>
//	kdadmin [-ns ID] peek <prefix>
//	kdadmin [-ns ID] dump <prefix>
//	kdadmin [-ns ID] grant <player> <n>
//	kdadmin [-ns ID] seed-bots
//	kdadmin [-ns ID] purge <prefix>
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"github.com/killdeer-games/killdeer/internal/cfkv"
)

var store *cfkv.Store

// botCount is how many load-test bot profiles seed-bots creates.
const botCount = 15_000

const dumpPages = 50

func main() {
	nsID := flag.String("ns", os.Getenv("KV_STATE_ID"), "namespace id")
	account := flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "account id")
	timeout := flag.Duration("timeout", 2*time.Minute, "overall timeout")
	flag.Parse()
	if flag.NArg() < 1 {
		flag.Usage()
		os.Exit(2)
	}
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	store = cfkv.New(client, *account, *nsID)

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	args := flag.Args()
	var err error
	switch args[0] {
	case "revoke":
		err = revoke(ctx, arg(args, 1))
	case "peek":
		err = peek(ctx, arg(args, 1))
	case "dump":
		err = dump(ctx, arg(args, 1))
	case "grant":
		n, _ := strconv.Atoi(arg(args, 2))
		err = grant(ctx, arg(args, 1), n)
	case "seed-bots":
		err = seedBots(ctx)
	case "purge":
		err = purge(ctx, arg(args, 1))
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kdadmin:", err)
		os.Exit(1)
	}
}

func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// revoke signs one session out, for support tickets about stolen accounts.
func revoke(ctx context.Context, token string) error {
	_, err := store.Values.Delete(ctx, store.ID, "kd/sess/"+token, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(store.AccountID),
	})
	return err
}

// peek prints the first few keys under prefix.
func peek(ctx context.Context, prefix string) error {
	page, err := store.Keys.List(ctx, store.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(store.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Println(k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Println("… more")
	}
	return nil
}

// dump prints keys and metadata under prefix, up to dumpPages pages.
func dump(ctx context.Context, prefix string) error {
	params := store.ListParams(prefix, 1000)
	enc := json.NewEncoder(os.Stdout)
	for page := range dumpPages {
		res, err := store.Keys.List(ctx, store.ID, params)
		if err != nil {
			return fmt.Errorf("page %d: %w", page, err)
		}
		for _, k := range res.Result {
			_ = enc.Encode(map[string]any{"key": k.Name, "exp": k.Expiration, "meta": k.Metadata})
		}
		if res.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	fmt.Fprintf(os.Stderr, "stopped after %d pages\n", dumpPages)
	return nil
}

// wallet is the edge's soft-currency record.
type wallet struct {
	Coins   int   `json:"coins"`
	Updated int64 `json:"updated"`
}

// grant credits a player's wallet, for support compensation.
func grant(ctx context.Context, player string, n int) error {
	key := "kd/wallet/" + player
	raw, err := store.GetBytes(ctx, key) // EXPECT kvnull
	if err != nil {
		raw = []byte(`{"coins":0}`)
	}
	var w wallet
	if err := json.Unmarshal(raw, &w); err != nil {
		return err
	}
	w.Coins += n
	w.Updated = time.Now().Unix()
	out, _ := json.Marshal(w)
	return store.Put(ctx, key, out, nil) // EXPECT kvrace
}

// seedBots creates bot profiles for load tests in the staging namespace.
func seedBots(ctx context.Context) error {
	pairs := make([]cfkv.Pair, botCount)
	for i := range botCount {
		id := fmt.Sprintf("bot-%05d", i)
		prof, _ := json.Marshal(map[string]any{"id": id, "name": "Bot " + strconv.Itoa(i), "bot": true})
		pairs[i] = cfkv.Pair{
			Key:           cloudflare.F("profile:" + id),
			Value:         cloudflare.F(string(prof)),
			ExpirationTTL: cloudflare.F(float64(7 * 24 * 3600)),
			Metadata:      cloudflare.F(map[string]any{"bot": true}),
		}
	}
	_, err := store.Bulk.Update(ctx, store.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(store.AccountID),
		Body:      pairs,
	})
	return err
}

// purge deletes every key under prefix, one page at a time.
func purge(ctx context.Context, prefix string) error {
	params := store.ListParams(prefix, 2000) // EXPECT kvlimits
	deleted := 0
	for range dumpPages {
		page, err := store.Keys.List(ctx, store.ID, params)
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			if err := store.Delete(ctx, k.Name); err != nil {
				return fmt.Errorf("after %d deletions: %w", deleted, err)
			}
			deleted++
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	fmt.Printf("deleted %d keys\n", deleted)
	return nil
}
