// Command tsadmin is the operator tool for Turnstone's KV namespaces: export,
// import, purge, session revocation and campaign control, over the REST API.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/quillhaus/turnstone/internal/campaign"
	"github.com/quillhaus/turnstone/internal/kvrest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tsadmin export|export-meta|import|peek|purge|revoke|archive|set-sender|pause [flags]")
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	ns := fs.String("ns", "content", "namespace: subscribers, sessions, pages or content")
	prefix := fs.String("prefix", "", "key prefix")
	cursor := fs.String("cursor", "", "resume a listing from this cursor")
	maxPages := fs.Int("max-pages", 50, "stop listing after this many pages")
	file := fs.String("file", "", "import: JSON lines written by export")
	email := fs.String("email", "", "revoke: reader email address")
	key := fs.String("key", "", "archive: key name")
	keep := fs.Duration("keep", 180*24*time.Hour, "archive: how long archived keys are kept")
	pub := fs.String("pub", "", "set-sender: publication id")
	from := fs.String("from", "", "set-sender: display name")
	replyTo := fs.String("reply-to", "", "set-sender: reply-to address")
	campaignID := fs.String("campaign", "", "pause: campaign id")
	fs.Parse(os.Args[2:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	nsID := os.Getenv("TS_NS_" + strings.ToUpper(*ns))
	c := kvrest.New(os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"), nsID)

	var err error
	switch cmd {
	case "export":
		err = export(ctx, c, *prefix, os.Stdout)
	case "export-meta":
		err = exportMeta(ctx, c, *prefix, *cursor, *maxPages, os.Stdout)
	case "import":
		err = importFile(ctx, c, *file)
	case "peek":
		err = peek(ctx, c, *prefix)
	case "purge":
		err = purge(ctx, c, *prefix)
	case "revoke":
		err = revoke(ctx, c, *email)
	case "archive":
		err = archive(ctx, c, *key, *keep)
	case "set-sender":
		err = setSender(ctx, c, *pub, *from, *replyTo)
	case "pause":
		err = (&campaign.Sender{KV: c}).Pause(ctx, *campaignID)
	default:
		err = fmt.Errorf("unknown command")
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tsadmin %s: %v\n", cmd, err)
		os.Exit(1)
	}
}
