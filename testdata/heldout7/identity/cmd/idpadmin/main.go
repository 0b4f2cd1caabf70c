// Command idpadmin is the operator CLI for the identity namespace.
//
//	idpadmin peek PREFIX            a handful of keys, for a quick look
//	idpadmin get KEY                print a value
//	idpadmin apikeys                API keys with their owners
//	idpadmin import-clients FILE    bulk load client records
//	idpadmin export-clients FILE    bulk read client records (ids in FILE)
//	idpadmin reindex-clients FILE   rebuild the client directory
//	idpadmin soak                   write a large value to measure latency
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/identity/internal/apikeys"
	"example.com/identity/internal/store"
	"example.com/identity/internal/store/kvrest"
	"example.com/identity/internal/store/kvsdk"
)

type cli struct {
	st  store.Store
	ns  kvsdk.Namespace
	out io.Writer
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: idpadmin COMMAND [ARGS]")
		os.Exit(2)
	}
	acct, nsID, tok := os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CF_KV_NAMESPACE_ID"), os.Getenv("CF_API_TOKEN")
	c := &cli{
		st:  kvrest.New(acct, nsID, tok),
		ns:  kvsdk.Namespace{Client: kvsdk.NewClient(tok, http.DefaultClient), AccountID: acct, ID: nsID},
		out: os.Stdout,
	}
	commands := map[string]func(context.Context, []string) error{
		"peek":            c.peek,
		"get":             c.get,
		"apikeys":         c.apikeys,
		"import-clients":  c.importClients,
		"export-clients":  c.exportClients,
		"reindex-clients": c.reindexClients,
		"soak":            c.soak,
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := cmd(ctx, os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "idpadmin:", err)
		os.Exit(1)
	}
}

func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

func (c *cli) peek(ctx context.Context, args []string) error {
	page, err := c.ns.Client.KV.Namespaces.Keys.List(ctx, c.ns.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.ns.AccountID),
		Prefix:    cloudflare.F(arg(args, 0)),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Fprintln(c.out, k.Name)
	}
	return nil
}

func (c *cli) get(ctx context.Context, args []string) error {
	res, err := c.ns.Client.KV.Namespaces.Values.Get(ctx, c.ns.ID, arg(args, 0), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.ns.AccountID)})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if len(body) == 0 { // EXPECT kvnull
		fmt.Fprintln(c.out, "(not set)")
		return nil
	}
	_, err = c.out.Write(append(body, '\n'))
	return err
}

// apikeys prints every key of the first 1000 with its owner.
func (c *cli) apikeys(ctx context.Context, _ []string) error {
	page, err := c.st.List(ctx, store.ListOptions{Prefix: "apikey:", Limit: 1000})
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		raw, err := c.st.Get(ctx, k.Name) // EXPECT kvlist
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		var rec apikeys.Key
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "%s\t%s\t%s\n", rec.ID, rec.Owner, rec.Created.Format(time.DateOnly))
	}
	if !page.Complete {
		fmt.Fprintln(c.out, "-- truncated at 1000")
	}
	return nil
}

type clientRecord struct {
	ID   string          `json:"client_id"`
	Slug string          `json:"slug"`
	Body json.RawMessage `json:"body"`
}

func readClients(path string) ([]clientRecord, error) {
	f, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var recs []clientRecord
	return recs, json.Unmarshal(f, &recs)
}

// importBatch keeps each bulk request comfortably under the 100 MB body cap.
const importBatch = 20000

func (c *cli) importClients(ctx context.Context, args []string) error {
	recs, err := readClients(arg(args, 0))
	if err != nil {
		return err
	}
	for start := 0; start < len(recs); start += importBatch {
		chunk := recs[start:min(start+importBatch, len(recs))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, r := range chunk {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F("client:" + r.ID),
				Value:         cloudflare.F(string(r.Body)),
				ExpirationTTL: cloudflare.F(3600.0),
			})
		}
		res, err := c.ns.Client.KV.Namespaces.BulkUpdate(ctx, c.ns.ID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.ns.AccountID), Body: body}) // EXPECT kvlimits
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "wrote %.0f, failed %d\n", res.SuccessfulKeyCount, len(res.UnsuccessfulKeys))
	}
	return nil
}

const exportBatch = 250

func (c *cli) exportClients(ctx context.Context, args []string) error {
	raw, err := os.ReadFile(arg(args, 0))
	if err != nil {
		return err
	}
	ids := strings.Fields(string(raw))
	enc := json.NewEncoder(c.out)
	for start := 0; start < len(ids); start += exportBatch {
		var keys []string
		for _, id := range ids[start:min(start+exportBatch, len(ids))] {
			keys = append(keys, "client:"+id)
		}
		res, err := c.ns.Client.KV.Namespaces.BulkGet(ctx, c.ns.ID, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(c.ns.AccountID), Keys: cloudflare.F(keys)}) // EXPECT kvlimits
		if err != nil {
			return err
		}
		if err := enc.Encode(kvsdk.BulkText(res)); err != nil {
			return err
		}
	}
	return nil
}

// reindexClients rebuilds the directory document listing all client slugs.
func (c *cli) reindexClients(ctx context.Context, args []string) error {
	recs, err := readClients(arg(args, 0))
	if err != nil {
		return err
	}
	index := map[string]string{}
	for _, r := range recs {
		index[r.Slug] = r.ID
		b, _ := json.Marshal(index)
		if err := c.st.Put(ctx, "clients:index", b); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("after %s: %w", r.Slug, err)
		}
	}
	fmt.Fprintf(c.out, "indexed %d clients\n", len(index))
	return nil
}

// soak writes one large value and reads it back, to measure round trips.
func (c *cli) soak(ctx context.Context, _ []string) error {
	payload := make([]byte, 32<<20) // EXPECT kvlimits
	start := time.Now()
	if err := c.st.Put(ctx, "soak:blob", payload, store.WithTTL(10*time.Minute)); err != nil {
		return err
	}
	if _, err := c.st.Get(ctx, "soak:blob"); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "round trip %s\n", time.Since(start))
	return nil
}
