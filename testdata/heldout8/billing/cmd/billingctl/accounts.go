package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
)

func creditsKey(customer string) string { return "credits:" + customer }

func cmdCredits(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("credits", flag.ExitOnError)
	customer := fs.String("customer", "", "customer id")
	delta := fs.Int64("add", 0, "credits to add (negative to deduct)")
	_ = fs.Parse(args)
	if *customer == "" || *delta == 0 {
		return errors.New("-customer and -add are required")
	}
	var balance int64
	raw, err := e.api.GetWorkersKV(ctx, e.rc, cf.GetWorkersKVParams{NamespaceID: e.ns, Key: creditsKey(*customer)})
	switch {
	case err == nil:
		if balance, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return fmt.Errorf("balance for %s is not a number: %q", *customer, raw)
		}
	case !notFound(err):
		return err
	}
	balance += *delta
	if _, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cf.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: creditsKey(*customer), Value: []byte(strconv.FormatInt(balance, 10))}); err != nil { // EXPECT kvcounter
		return err
	}
	fmt.Printf("%s: %d credits\n", *customer, balance)
	return nil
}

func cmdShowCredits(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("show-credits", flag.ExitOnError)
	customer := fs.String("customer", "", "customer id")
	_ = fs.Parse(args)
	raw, _ := e.api.GetWorkersKV(ctx, e.rc, cf.GetWorkersKVParams{NamespaceID: e.ns, Key: creditsKey(*customer)}) // EXPECT kvnull
	balance, _ := strconv.ParseInt(string(raw), 10, 64)
	fmt.Printf("%s: %d credits (%.2f USD)\n", *customer, balance, float64(balance)/100)
	return nil
}

func cmdNote(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("note", flag.ExitOnError)
	customer := fs.String("customer", "", "customer id")
	text := fs.String("text", "", "note text")
	by := fs.String("by", "", "your name")
	_ = fs.Parse(args)
	key := "notes:" + *customer
	notes, err := e.api.GetWorkersKV(ctx, e.rc, cf.GetWorkersKVParams{NamespaceID: e.ns, Key: key})
	if err != nil && !notFound(err) {
		return err
	}
	entry := fmt.Sprintf("%s\t%s\t%s\n", time.Now().UTC().Format(time.DateTime), *by, strings.ReplaceAll(*text, "\n", " "))
	_, err = e.api.WriteWorkersKVEntry(ctx, e.rc, cf.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: key, Value: append(notes, entry...)}) // EXPECT kvrace
	return err
}

func cmdDefaultPlan(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("default-plan", flag.ExitOnError)
	plan := fs.String("plan", "starter", "plan id")
	force := fs.Bool("force", false, "replace an existing default")
	_ = fs.Parse(args)
	const key = "config:default-plan"
	if !*force {
		cur, err := e.api.GetWorkersKV(ctx, e.rc, cf.GetWorkersKVParams{NamespaceID: e.ns, Key: key}) // EXPECT kvnull
		if err == nil {
			fmt.Printf("default plan already %q; use -force to change it\n", cur)
			return nil
		}
	}
	_, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cf.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: key, Value: []byte(*plan)})
	return err
}

func cmdPromo(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("promo", flag.ExitOnError)
	code := fs.String("code", "", "promo code")
	percent := fs.Int("percent", 10, "discount percent")
	until := fs.String("until", "", "last day, YYYY-MM-DD")
	_ = fs.Parse(args)
	end, err := time.Parse(time.DateOnly, *until)
	if err != nil {
		return err
	}
	end = end.Add(24*time.Hour - time.Second)
	val, _ := json.Marshal(map[string]any{"percent": *percent, "ends": end})
	pair := &cf.WorkersKVPair{
		Key:        "promo:" + strings.ToUpper(*code),
		Value:      string(val),
		Expiration: int(end.UnixMilli()), // EXPECT kvttl
	}
	_, err = e.api.WriteWorkersKVEntries(ctx, e.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: []*cf.WorkersKVPair{pair}})
	return err
}

const planTerms = `Usage-based charges are calculated from metered events received by the ingest API and are
billed monthly in arrears. Included units reset on the first day of each billing period and do not roll over.
Overage is charged at the per-unit rate of the plan in effect when the usage occurred. Prepaid credits are
applied before any card on file is charged and expire twelve months after purchase. Plan changes take effect
immediately; upgrades are prorated to the second and downgrades are credited against the next invoice. Seats
added during a period are charged for the remainder of that period. Invoices are payable within fifteen days.
Accounts with invoices more than thirty days overdue may have ingest rate-limited and, after sixty days,
suspended. Taxes are calculated from the billing address on file and shown separately on each invoice. Refunds
are issued only as credits unless required by law. Disputed charges must be raised within sixty days of the
invoice date. Enterprise agreements supersede these terms where they conflict. Usage data is retained for
ninety days in the dashboard and for seven years in the ledger for audit purposes.`

func cmdPublishTerms(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("publish-terms", flag.ExitOnError)
	plans := fs.String("plans", "starter,growth,scale", "comma-separated plan ids")
	_ = fs.Parse(args)
	var pairs []*cf.WorkersKVPair
	for _, p := range strings.Split(*plans, ",") {
		pairs = append(pairs, &cf.WorkersKVPair{
			Key:      "terms:" + p,
			Value:    time.Now().UTC().Format(time.DateOnly),
			Metadata: map[string]any{"plan": p, "terms": planTerms}, // EXPECT kvlimits
		})
	}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: pairs})
	return err
}

func cmdPurgeSessions(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("purge-sessions", flag.ExitOnError)
	user := fs.String("user", "", "user id")
	maxPages := fs.Int("pages", 10, "maximum pages to scan")
	_ = fs.Parse(args)
	if *user == "" {
		return errors.New("-user is required")
	}
	params := cf.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: "sess:" + *user + ".", Limit: 1000}
	var doomed []string
	for page := 0; page < *maxPages; page++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params)
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			doomed = append(doomed, k.Name)
		}
		if resp.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = resp.ResultInfo.Cursor
	}
	if len(doomed) == 0 {
		fmt.Println("no sessions")
		return nil
	}
	if _, err := e.api.DeleteWorkersKVEntries(ctx, e.rc, cf.DeleteWorkersKVEntriesParams{NamespaceID: e.ns, Keys: doomed}); err != nil { // EXPECT kvsession
		return err
	}
	fmt.Printf("revoked %d sessions\n", len(doomed))
	return nil
}

func cmdImpersonate(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("impersonate", flag.ExitOnError)
	customer := fs.String("customer", "", "customer id")
	agent := fs.String("agent", "", "support agent id")
	_ = fs.Parse(args)
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return err
	}
	id := "support-" + *agent + "." + hex.EncodeToString(buf)
	sess, _ := json.Marshal(map[string]any{"id": id, "user_id": "support-" + *agent, "customer_id": *customer, "scopes": []string{"read"}})
	// Support sessions are deliberately short-lived.
	pair := &cf.WorkersKVPair{
		Key:           "sess:" + id,
		Value:         string(sess),
		ExpirationTTL: 30, // EXPECT kvttl
	}
	if _, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: []*cf.WorkersKVPair{pair}}); err != nil { // DEBATABLE kvsession
		return err
	}
	fmt.Printf("open https://billing.example.com/portal?session=%s\n", id)
	return nil
}
