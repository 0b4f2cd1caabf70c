// Command wryneckctl is the operators' CLI for inspecting the KV namespace.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"wryneck/internal/exports"
	"wryneck/internal/kvrest"
)

func main() {
	acct := flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "account id")
	ns := flag.String("namespace", os.Getenv("KV_NAMESPACE_ID"), "namespace id")
	flag.Parse()
	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	ctx := context.Background()
	args := flag.Args()
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wryneckctl [flags] get|peek|count KEY")
		os.Exit(2)
	}
	var err error
	switch args[0] {
	case "get":
		err = get(ctx, api, *acct, *ns, args[1])
	case "peek":
		exp := exports.New(kvrest.New(api, *acct, *ns), api, *acct, *ns)
		var names []string
		var cursor string
		if names, cursor, err = exp.PeekKeys(ctx, args[1]); err == nil {
			for _, n := range names {
				fmt.Println(n)
			}
			if cursor != "" {
				fmt.Println("… more (cursor", cursor+")")
			}
		}
	case "count":
		exp := exports.New(kvrest.New(api, *acct, *ns), api, *acct, *ns)
		var n int
		if n, err = exp.CountSubscribers(ctx, args[1]); err == nil {
			fmt.Println(n)
		}
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func get(ctx context.Context, api *cloudflare.Client, acct, ns, key string) error {
	resp, err := api.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(acct)})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if len(body) == 0 { // EXPECT kvnull
		fmt.Printf("%s: not found\n", key)
		return nil
	}
	_, err = os.Stdout.Write(body)
	return err
}
