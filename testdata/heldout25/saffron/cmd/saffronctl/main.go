// Command saffronctl is the operator CLI for Saffron's KV namespace.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
)

type cli struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	out         io.Writer
}

type command struct {
	usage string
	run   func(ctx context.Context, c *cli, args []string) error
}

type commands map[string]command

func (cs commands) help(w io.Writer) {
	for name, c := range cs {
		fmt.Fprintf(w, "  %-16s %s\n", name, c.usage)
	}
}

var registry = commands{
	"publish-menu":    {"VENUE FILE      publish a menu document", publishMenu},
	"set-price":       {"VENUE ITEM CENTS change one price", setPrice},
	"revoke-sessions": {"GUEST           sign a guest out everywhere", revokeSessions},
	"inspect":         {"VENUE           show a venue's slot documents", inspect},
	"inspect-day":     {"VENUE DAY       show one day's slot documents", inspectDay},
	"dump":            {"PREFIX          list keys under a prefix", dump},
	"banner":          {"VENUE TEXT      schedule a two-hour banner", banner},
	"bump-all":        {"VENUE...        bump the global menu epoch", bumpAll},
	"flags":           {"VENUE           set default flags", setFlags},
}

func main() {
	account := flag.String("account", os.Getenv("CLOUDFLARE_ACCOUNT_ID"), "account id")
	namespace := flag.String("namespace", os.Getenv("SAFFRON_NAMESPACE_ID"), "namespace id")
	flag.Parse()
	if flag.NArg() == 0 {
		registry.help(os.Stderr)
		os.Exit(2)
	}
	cmd, ok := registry[flag.Arg(0)]
	if !ok {
		registry.help(os.Stderr)
		os.Exit(2)
	}
	c := &cli{
		client:      cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))),
		accountID:   *account,
		namespaceID: *namespace,
		out:         os.Stdout,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := cmd.run(ctx, c, flag.Args()[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "saffronctl:", err)
		os.Exit(1)
	}
}

func (c *cli) get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.client.KV.Namespaces.Values.Get(ctx, c.namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.accountID)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func publishMenu(ctx context.Context, c *cli, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: publish-menu VENUE FILE")
	}
	venueID := args[0]
	raw, err := os.ReadFile(args[1])
	if err != nil {
		return err
	}
	var m domain.Menu
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	rev := 0
	if prev, err := c.get(ctx, "menu-rev:"+venueID); err == nil {
		rev, _ = strconv.Atoi(string(prev))
	}
	m.Revision = rev + 1
	m.VenueID = venueID
	m.Touch(os.Getenv("USER"), time.Now().UTC())
	body, _ := json.Marshal(m)
	meta := struct {
		Rev   int    `json:"rev"`
		Items int    `json:"items"`
		By    string `json:"by"`
	}{m.Revision, len(m.Items), os.Getenv("USER")}
	if _, err := c.client.KV.Namespaces.Values.Update(ctx, c.namespaceID, keys.Menu(venueID), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.accountID),
		Value:         cloudflare.F(string(body)),
		Metadata:      cloudflare.F[any](meta),
		ExpirationTTL: cloudflare.F(float64(7 * 24 * 3600)),
	}); err != nil {
		return err
	}
	_, err = c.client.KV.Namespaces.Values.Update(ctx, c.namespaceID, "menu-rev:"+venueID, kv.NamespaceValueUpdateParams{ // DEBATABLE kvcounter
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(strconv.Itoa(m.Revision)),
	})
	return err
}

func setPrice(ctx context.Context, c *cli, args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: set-price VENUE ITEM CENTS")
	}
	cents, err := strconv.Atoi(args[2])
	if err != nil {
		return err
	}
	key := keys.Menu(args[0])
	raw, err := c.get(ctx, key)
	if err != nil {
		return err
	}
	var m domain.Menu
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	found := false
	for i := range m.Items {
		if m.Items[i].ID == args[1] {
			m.Items[i].PriceCents = cents
			found = true
		}
	}
	if !found {
		return fmt.Errorf("item %s not on menu", args[1])
	}
	body, _ := json.Marshal(m)
	_, err = c.client.KV.Namespaces.Values.Update(ctx, c.namespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(string(body)),
	})
	return err
}

func revokeSessions(ctx context.Context, c *cli, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: revoke-sessions GUEST")
	}
	page, err := c.client.KV.Namespaces.Keys.List(ctx, c.namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.accountID),
		Prefix:    cloudflare.F(keys.SessionIndex(args[0]) + ":"),
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		sid := strings.TrimPrefix(k.Name, keys.SessionIndex(args[0])+":")
		if _, err := c.client.KV.Namespaces.Values.Delete(ctx, c.namespaceID, keys.Session(sid), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
			AccountID: cloudflare.F(c.accountID),
		}); err != nil {
			return err
		}
		fmt.Fprintln(c.out, "revoked", sid)
	}
	return nil
}

func slotKeys(venueID string, from time.Time, n int) []string {
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, keys.Slot(venueID, from.Add(time.Duration(i)*15*time.Minute)))
	}
	return out
}

func inspect(ctx context.Context, c *cli, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: inspect VENUE")
	}
	var ks [192]string
	copy(ks[:], slotKeys(args[0], time.Now().UTC().Truncate(24*time.Hour), len(ks)))
	res, err := c.client.KV.Namespaces.BulkGet(ctx, c.namespaceID, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(c.accountID),
		Keys:      cloudflare.F(ks[:]),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeJson),
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out, res.JSON.RawJSON())
	return nil
}

func inspectDay(ctx context.Context, c *cli, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: inspect-day VENUE YYYY-MM-DD")
	}
	day, err := time.Parse("2006-01-02", args[1])
	if err != nil {
		return err
	}
	all := slotKeys(args[0], day, 96)
	for start := 0; start < len(all); start += 50 {
		chunk := all[start:min(start+50, len(all))]
		res, err := c.client.KV.Namespaces.BulkGet(ctx, c.namespaceID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(c.accountID),
			Keys:      cloudflare.F(chunk),
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(c.out, res.JSON.RawJSON())
	}
	return nil
}

func dump(ctx context.Context, c *cli, args []string) error {
	prefix := ""
	if len(args) > 0 {
		prefix = args[0]
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	}
	for pages := 0; pages < 20; pages++ {
		page, err := c.client.KV.Namespaces.Keys.List(ctx, c.namespaceID, params)
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			fmt.Fprintln(c.out, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return nil
}

func banner(ctx context.Context, c *cli, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: banner VENUE TEXT")
	}
	_, err := c.client.KV.Namespaces.Values.Update(ctx, c.namespaceID, "banner:"+args[0], kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.accountID),
		Value:      cloudflare.F(args[1]),
		Expiration: cloudflare.F(float64(time.Now().Add(2 * time.Hour).UnixMilli())), // EXPECT kvttl
	})
	return err
}

func bumpAll(ctx context.Context, c *cli, args []string) error {
	for _, venueID := range args {
		if _, err := c.client.KV.Namespaces.Values.Update(ctx, c.namespaceID, keys.MenuVersion(venueID, 0), kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(c.accountID),
			Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
			ExpirationTTL: cloudflare.F(3600.0),
		}); err != nil {
			return err
		}
		if _, err := c.client.KV.Namespaces.Values.Update(ctx, c.namespaceID, "menu:epoch", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(c.accountID),
			Value:     cloudflare.F(venueID + "@" + time.Now().UTC().Format(time.RFC3339Nano)),
		}); err != nil {
			return err
		}
	}
	return nil
}

func setFlags(ctx context.Context, c *cli, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: flags VENUE")
	}
	_, err := c.client.KV.Namespaces.BulkUpdate(ctx, c.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{
			{Key: cloudflare.F("flags:" + args[0]), Value: cloudflare.F(`{"pickup":true}`), ExpirationTTL: cloudflare.F(86400.0)},
			{Key: cloudflare.F("flags-seeded:" + args[0]), Value: cloudflare.F("1"), Metadata: cloudflare.F[any](map[string]any{"by": os.Getenv("USER")})},
		},
	})
	return err
}
