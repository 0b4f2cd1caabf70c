// Command admin is the back office's command-line tool: operator actions on
// deposits and restaurants, and the nightly batch jobs.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"github.com/tablekeep/bluethroat/internal/backoffice"
	"github.com/tablekeep/bluethroat/internal/cfkv"
	"github.com/tablekeep/bluethroat/internal/clock"
)

func main() {
	log.SetFlags(0)
	var (
		account     = flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
		bookingsNS  = flag.String("bookings-ns", os.Getenv("KV_BOOKINGS_ID"), "BOOKINGS namespace ID")
		guestsNS    = flag.String("guests-ns", os.Getenv("KV_GUESTS_ID"), "GUESTS namespace ID")
		cacheNS     = flag.String("cache-ns", os.Getenv("KV_CACHE_ID"), "CACHE namespace ID")
		restaurants = flag.String("restaurants", os.Getenv("RESTAURANTS"), "comma-separated restaurant IDs")
		tokenTTL    = flag.Duration("token-ttl", 90*24*time.Hour, "lifetime of POS integration tokens")
		smsQuota    = flag.Int("sms-quota", 2000, "monthly SMS reminders per restaurant")
	)
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: admin [flags] capture|refund|claim-slug|sync|warm-menus|policy|banner|close|rotate-token|keys|peek|run [args]")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")), option.WithMaxRetries(3))
	clk := clock.System{}
	bookings := cfkv.New(client, *account, *bookingsNS)
	guests := cfkv.New(client, *account, *guestsNS)
	cache := cfkv.New(client, *account, *cacheNS)

	rec := &backoffice.Reconciler{Store: bookings, Now: clk.Now}
	pub := &backoffice.Publisher{Store: cache, Now: clk.Now}
	tokens := &backoffice.StaffTokens{Store: cache, TTL: *tokenTTL}

	args := flag.Args()[1:]
	var err error
	switch cmd := flag.Arg(0); cmd {
	case "capture":
		var res *backoffice.CaptureResponse
		res, err = rec.Capture(ctx, &backoffice.CaptureRequest{BookingID: arg(args, 0), AmountCents: int64(atoi(arg(args, 1))), ExpectRev: atoi(arg(args, 2))})
		if err == nil {
			fmt.Printf("captured %d, rev %d\n", res.CapturedCents, res.Rev)
		}
	case "refund":
		var res *backoffice.RefundResponse
		res, err = rec.Refund(ctx, &backoffice.RefundRequest{BookingID: arg(args, 0), AmountCents: int64(atoi(arg(args, 1))), Reason: arg(args, 2)})
		if err == nil {
			fmt.Printf("refunded %d, rev %d\n", res.RefundedCents, res.Rev)
		}
	case "claim-slug":
		err = pub.ClaimSlug(ctx, arg(args, 0), arg(args, 1))
	case "sync":
		var list []backoffice.Restaurant
		if err = json.NewDecoder(os.Stdin).Decode(&list); err == nil {
			err = pub.SyncRestaurants(ctx, list)
		}
	case "policy":
		var html []byte
		if html, err = os.ReadFile(arg(args, 1)); err == nil {
			err = pub.PublishPolicy(ctx, arg(args, 0), html)
		}
	case "banner":
		var ends time.Time
		if ends, err = time.Parse(time.RFC3339, arg(args, 2)); err == nil {
			err = pub.PublishBanner(ctx, arg(args, 0), arg(args, 1), ends)
		}
	case "close":
		var reopen time.Duration
		if reopen, err = time.ParseDuration(arg(args, 2)); err == nil {
			err = pub.PublishClosure(ctx, arg(args, 0), arg(args, 1), reopen)
		}
	case "rotate-token":
		var tok string
		if tok, err = tokens.Rotate(ctx, arg(args, 0)); err == nil {
			fmt.Println(tok)
		}
	case "warm-menus":
		var menus map[string]json.RawMessage
		if err = json.NewDecoder(os.Stdin).Decode(&menus); err == nil {
			raw := make(map[string][]byte, len(menus))
			for id, m := range menus {
				raw[id] = m
			}
			err = pub.WarmMenus(ctx, raw)
		}
	case "keys":
		var keys []kv.Key
		var next string
		if keys, next, err = bookings.Page(ctx, arg(args, 0), arg(args, 1), 100); err == nil {
			for _, k := range keys {
				fmt.Println(k.Name)
			}
			fmt.Println("next:", next)
		}
	case "peek":
		err = backoffice.Peek(ctx, bookings, arg(args, 0), os.Stdout)
	case "run":
		ids := strings.Split(*restaurants, ",")
		jobs := []backoffice.Job{
			backoffice.Reminders{Store: bookings, Restaurants: ids, Send: logSender, MonthlyQuota: *smsQuota, Now: clk.Now},
			backoffice.NoShowExport{Store: guests, Out: os.Stdout},
			backoffice.CoversExport{Store: bookings, Out: os.Stdout, MaxKeys: 50_000},
		}
		if len(args) > 1 {
			jobs = append(jobs,
				backoffice.Calendar{Store: cache, Restaurant: args[1], From: clk.Now().Truncate(24 * time.Hour)},
				backoffice.Offboard{Store: bookings, Restaurant: args[1]},
			)
		}
		err = backoffice.RunAll(ctx, jobs, arg(args, 0))
	default:
		log.Fatalf("admin: unknown command %q", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		log.Fatalf("admin: %q is not a number", s)
	}
	return n
}

// logSender stands in for the SMS provider until the back office gets its own account.
func logSender(_ context.Context, guestID, text string) error {
	log.Printf("sms to %s: %s", guestID, text)
	return nil
}
