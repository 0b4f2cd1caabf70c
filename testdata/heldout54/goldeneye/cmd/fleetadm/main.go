// Command fleetadm is the operators' tool for the partner and surge
// namespaces.
//
//	fleetadm [flags] keys PREFIX [CURSOR]
//	fleetadm [flags] peek PREFIX
//	fleetadm [flags] export PREFIX > dump.jsonl
//	fleetadm [flags] prune PREFIX
//	fleetadm [flags] revoke TOKEN
//	fleetadm [flags] claim PARTNER SLUG
//	fleetadm [flags] seed-grid
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
	"github.com/cloudflare/cloudflare-go/v6/option"

	"goldeneye/internal/driverindex"
	"goldeneye/internal/edge"
	"goldeneye/internal/partners"
)

const (
	previewLimit = 5
	pruneBudget  = 5000
	gridSide     = 128
)

func main() {
	fs := flag.NewFlagSet("fleetadm", flag.ExitOnError)
	nsID := fs.String("ns", os.Getenv("FLEET_KV_NAMESPACE"), "KV namespace id")
	account := fs.String("account", os.Getenv("CF_ACCOUNT_ID"), "account id")
	timeout := fs.Duration("timeout", 2*time.Minute, "overall timeout")
	_ = fs.Parse(os.Args[1:])

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	ns := edge.Open(client, *account, *nsID)

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	args := fs.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: fleetadm [flags] keys|peek|export|prune|revoke|claim|seed-grid ...")
		os.Exit(2)
	}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	var err error
	switch cmd := args[0]; cmd {
	case "keys":
		err = listKeys(ctx, ns, arg(1), arg(2), os.Stdout)
	case "peek":
		err = peek(ctx, ns, arg(1), os.Stdout)
	case "export":
		err = export(ctx, ns, arg(1), os.Stdout)
	case "prune":
		var n int
		n, err = prune(ctx, ns, arg(1))
		fmt.Fprintf(os.Stderr, "pruned %d keys\n", n)
	case "revoke":
		err = partners.RevokeKey(ctx, ns, arg(1))
	case "claim":
		err = partners.ClaimSlug(ctx, ns, arg(1), arg(2))
	case "seed-grid":
		err = seedGrid(ctx, ns, 37.70, -122.52, 0.005)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleetadm:", err)
		os.Exit(1)
	}
}

// listKeys prints one page and the cursor to pass for the next one.
func listKeys(ctx context.Context, ns *edge.Namespace, prefix, cursor string, w io.Writer) error {
	keys, next, err := ns.Page(ctx, prefix, cursor, 1000)
	if err != nil {
		return err
	}
	for _, k := range keys {
		fmt.Fprintln(w, k.Name)
	}
	if next != "" {
		fmt.Fprintf(w, "# more: fleetadm keys %s %s\n", prefix, next)
	}
	return nil
}

// peek prints the first few keys under prefix with their metadata.
func peek(ctx context.Context, ns *edge.Namespace, prefix string, w io.Writer) error {
	svc, account, nsID := ns.Service()
	page, err := svc.Keys.List(ctx, nsID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(previewLimit)), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		meta, _ := json.Marshal(k.Metadata)
		fmt.Fprintf(w, "%s\t%s\n", k.Name, meta)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Fprintln(w, "...")
	}
	return nil
}

// export writes every key under prefix as JSON lines.
func export(ctx context.Context, ns *edge.Namespace, prefix string, w io.Writer) error {
	svc, account, nsID := ns.Service()
	enc := json.NewEncoder(w)
	iter := svc.Keys.ListAutoPaging(ctx, nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(prefix),
	})
	for iter.Next() {
		k := iter.Current()
		row := struct {
			Key        string `json:"key"`
			Expiration int64  `json:"expiration,omitempty"`
			Metadata   any    `json:"metadata,omitempty"`
		}{k.Name, int64(k.Expiration), k.Metadata}
		if err := enc.Encode(row); err != nil {
			return err
		}
	}
	return iter.Err()
}

// prune deletes keys under prefix whose metadata marks them retired, up to
// pruneBudget keys per run.
func prune(ctx context.Context, ns *edge.Namespace, prefix string) (int, error) {
	if !strings.HasSuffix(prefix, ":") {
		return 0, errors.New("prune: prefix must end with ':'")
	}
	svc, account, nsID := ns.Service()
	pager := ns.Pager(ctx, prefix)
	var batch []string
	seen := 0
	for pager.Next() && seen < pruneBudget {
		seen++
		k := pager.Current()
		if m, ok := k.Metadata.(map[string]any); ok && m["retired"] == true {
			batch = append(batch, k.Name)
		}
	}
	if err := pager.Err(); err != nil {
		return 0, err
	}
	if len(batch) == 0 {
		return 0, nil
	}
	_, err := svc.BulkDelete(ctx, nsID, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(account), Body: batch})
	return len(batch), err
}

// seedGrid publishes an empty demand record for every cell of the city grid
// so that the edge never sees a miss for an in-bounds cell.
func seedGrid(ctx context.Context, ns *edge.Namespace, lat0, lng0, step float64) error {
	svc, account, nsID := ns.Service()
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, gridSide*gridSide)
	for i := 0; i < gridSide; i++ {
		for j := 0; j < gridSide; j++ {
			gh := driverindex.Encode(lat0+float64(i)*step, lng0+float64(j)*step, 7)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F("demand:" + gh),
				Value: cloudflare.F(`{"riders":0,"drivers":0}`),
			})
		}
	}
	_, err := svc.BulkUpdate(ctx, nsID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(account), Body: body}) // EXPECT kvlimits
	return err
}
