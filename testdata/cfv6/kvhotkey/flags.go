package kvhotkey

import (
	"context"
	"flag"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// An admin command's checkpoint, written after each record to the
// namespace a flag names: *ns is read in the loop, the same each time.
func checkpoint(ctx context.Context, client *cloudflare.Client, account string, ids []string, args []string) error { // want checkpoint:"kvhotkey"
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	ns := fs.String("namespace", "", "namespace ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, id := range ids {
		_, err := client.KV.Namespaces.Values.Update(ctx, *ns, "reindex:progress", kv.NamespaceValueUpdateParams{ // want `this loop writes the same KV key on every iteration`
			AccountID: cloudflare.F(account),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(id)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Quiet: the loop points the flag's variable at each namespace in turn.
func stampAll(ctx context.Context, client *cloudflare.Client, account string, namespaces []string) error {
	ns := flag.String("stamp-namespace", "", "namespace ID")
	for _, n := range namespaces {
		*ns = n
		_, err := client.KV.Namespaces.Values.Update(ctx, *ns, "stamp", kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(account),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("x")),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// The flags kept in a struct of pointers, as a command's shared
// settings: *t.ns is read in the loop, the same each time.
type target struct {
	ns      *string
	account *string
}

func backfill(ctx context.Context, client *cloudflare.Client, t target, ids []string) error { // want backfill:"kvhotkey"
	for _, id := range ids {
		_, err := client.KV.Namespaces.Values.Update(ctx, *t.ns, "backfill:checkpoint", kv.NamespaceValueUpdateParams{ // want `this loop writes the same KV key on every iteration`
			AccountID: cloudflare.F(*t.account),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(id)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}
