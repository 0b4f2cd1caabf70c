package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// cmdGet prints a value, or -default when the key holds nothing.
func cmdGet(e *env, args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	ns := fs.String("ns", "", "namespace id")
	def := fs.String("default", "", "printed when the key has no value")
	fs.Parse(args)
	if err := requireNS(fs, *ns); err != nil {
		return err
	}
	resp, err := e.api.KV.Namespaces.Values.Get(e.ctx, *ns, url.PathEscape(fs.Arg(0)), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(e.account),
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if len(raw) > 0 { // EXPECT kvnull
		os.Stdout.Write(raw)
	} else {
		fmt.Print(*def)
	}
	return nil
}

type exported struct {
	Key        string         `json:"key"`
	Value      string         `json:"value"`
	Expiration float64        `json:"expiration,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
}

// cmdExport writes every pair under -prefix as JSON lines.
func cmdExport(e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	ns := fs.String("ns", "", "namespace id")
	prefix := fs.String("prefix", "", "key prefix")
	fs.Parse(args)
	if err := requireNS(fs, *ns); err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	iter := e.api.KV.Namespaces.Keys.ListAutoPaging(e.ctx, *ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(e.account),
		Prefix:    cloudflare.F(*prefix),
	})
	for iter.Next() {
		k := iter.Current()
		resp, err := e.api.KV.Namespaces.Values.Get(e.ctx, *ns, url.PathEscape(k.Name), kv.NamespaceValueGetParams{ // EXPECT kvlist
			AccountID: cloudflare.F(e.account),
		})
		if err != nil {
			return fmt.Errorf("%s: %w", k.Name, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if err := enc.Encode(exported{Key: k.Name, Value: string(b), Expiration: k.Expiration, Metadata: k.Metadata}); err != nil {
			return err
		}
	}
	return iter.Err()
}

// cmdPeek tells whether any key exists under a prefix, e.g. before a
// namespace is retired.
func cmdPeek(e *env, args []string) error {
	fs := flag.NewFlagSet("peek", flag.ExitOnError)
	ns := fs.String("ns", "", "namespace id")
	prefix := fs.String("prefix", "", "key prefix")
	fs.Parse(args)
	if err := requireNS(fs, *ns); err != nil {
		return err
	}
	page, err := e.api.KV.Namespaces.Keys.List(e.ctx, *ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.account),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	if len(page.Result) == 0 && page.ResultInfo.Cursor == "" {
		fmt.Println("empty")
		return nil
	}
	if len(page.Result) > 0 {
		fmt.Println("first key:", page.Result[0].Name)
	} else {
		fmt.Println("not empty")
	}
	return nil
}
