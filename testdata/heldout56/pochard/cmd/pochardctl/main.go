// Command pochardctl is the operators' tool for the edge rate namespace.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

const pageSize = 5000 // EXPECT kvlimits

const rateDisclaimer = "Rates shown are per room per night and include all mandatory fees unless stated otherwise. " +
	"City and tourist taxes are collected at the property and are not included. Rates are subject to availability " +
	"at the time of booking and may change without notice until a booking is confirmed. Children's policies, " +
	"extra-bed charges and pet fees vary by property and are shown on the property page. Non-refundable rates " +
	"cannot be cancelled, changed or refunded once confirmed. Flexible rates may be cancelled free of charge until " +
	"the deadline shown on the booking confirmation; after that the first night is charged. Prices in currencies " +
	"other than the property's own are indicative and converted at the rate of the day; the property charges in " +
	"its own currency. Promotional rates cannot be combined with other offers and require the stated minimum stay. " +
	"Member rates require signing in before booking. Breakfast is included only where the rate name says so. " +
	"Group bookings of more than nine rooms are subject to different terms; contact the property directly."

type env struct {
	client  *cloudflare.Client
	account string
	ns      string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pochardctl put|dump|peek|notice|hold-banner [flags]")
		os.Exit(2)
	}
	e := env{
		client:  cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN"))),
		account: os.Getenv("CF_ACCOUNT_ID"),
		ns:      os.Getenv("KV_EDGE_RATES"),
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "put":
		err = e.put(ctx, os.Args[2:])
	case "dump":
		err = e.dump(ctx, os.Args[2:])
	case "peek":
		err = e.peek(ctx)
	case "notice":
		err = e.notice(ctx)
	case "hold-banner":
		err = e.banner(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pochardctl:", err)
		os.Exit(1)
	}
}

func (e env) put(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("put", flag.ExitOnError)
	key := fs.String("key", "", "key to write")
	value := fs.String("value", "", "value to write")
	ttl := fs.Duration("ttl", 24*time.Hour, "expiry")
	_ = fs.Parse(args)
	_, err := e.client.KV.Namespaces.Values.Update(ctx, e.ns, *key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(e.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(*value)),
		ExpirationTTL: cloudflare.F(float64(*ttl)), // EXPECT kvttl
	})
	return err
}

func (e env) dump(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dump", flag.ExitOnError)
	prefix := fs.String("prefix", "rates:", "key prefix")
	max := fs.Int("max", 0, "stop after this many keys (0: all)")
	_ = fs.Parse(args)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.account),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(float64(pageSize)),
	}
	if *max > 0 {
		return e.dumpSome(ctx, params, *max)
	}
	iter := e.client.KV.Namespaces.Keys.ListAutoPaging(ctx, e.ns, params) // EXPECT kvlist
	for iter.Next() {
		fmt.Println(iter.Current().Name)
	}
	return iter.Err()
}

func (e env) dumpSome(ctx context.Context, params kv.NamespaceKeyListParams, max int) error {
	params.Limit = cloudflare.F(float64(min(max, 1000)))
	iter := e.client.KV.Namespaces.Keys.ListAutoPaging(ctx, e.ns, params)
	n := 0
	for iter.Next() {
		fmt.Println(iter.Current().Name)
		if n++; n >= max {
			break
		}
	}
	return iter.Err()
}

func (e env) peek(ctx context.Context) error {
	page, err := e.client.KV.Namespaces.Keys.List(ctx, e.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.account),
		Limit:     cloudflare.F(float64(5)), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Println(k.Name, time.Unix(int64(k.Expiration), 0).Format(time.RFC3339))
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Println("… more")
	}
	return nil
}

func (e env) notice(ctx context.Context) error {
	_, err := e.client.KV.Namespaces.Values.Update(ctx, e.ns, "rates:notice", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(e.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v3")),
		Metadata:  cloudflare.F[any](map[string]string{"disclaimer": rateDisclaimer, "lang": "en"}), // EXPECT kvlimits
	})
	return err
}

func (e env) banner(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("hold-banner", flag.ExitOnError)
	hotel := fs.String("hotel", "", "hotel id")
	text := fs.String("text", "", "banner text")
	_ = fs.Parse(args)
	_, err := e.client.KV.Namespaces.BulkUpdate(ctx, e.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(e.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F("banner:" + *hotel),
			Value:      cloudflare.F(*text),
			Expiration: cloudflare.F(float64(time.Now().Add(45 * time.Second).Unix())), // EXPECT kvttl
		}, {
			Key:           cloudflare.F("banner:" + *hotel + ":set-at"),
			Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
			ExpirationTTL: cloudflare.F(float64(3600)),
		}},
	})
	return err
}
