// Command kvadmin runs operator tasks against the assistant's KV namespace.
//
//	kvadmin peek <prefix>
//	kvadmin prune-index <days>
//	kvadmin export-usage
//	kvadmin publish-prompt <version>
//	kvadmin import-docs <user> < docs.jsonl
//	kvadmin delete-user <user>
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/kakariki-ai/kakariki/internal/admin"
	"github.com/kakariki-ai/kakariki/internal/conversation"
	"github.com/kakariki-ai/kakariki/internal/kvstore"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kvadmin <command> [args]")
		os.Exit(2)
	}
	store := kvstore.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	ops := &admin.Ops{KV: store, Out: os.Stdout}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	arg := func(i int) string {
		if len(os.Args) <= i {
			fmt.Fprintf(os.Stderr, "kvadmin %s: missing argument\n", os.Args[1])
			os.Exit(2)
		}
		return os.Args[i]
	}
	var err error
	switch os.Args[1] {
	case "peek":
		err = ops.Peek(ctx, arg(2))
	case "prune-index":
		days, convErr := strconv.Atoi(arg(2))
		if convErr != nil {
			err = convErr
			break
		}
		var n int
		n, err = ops.PruneIndex(ctx, time.Now().AddDate(0, 0, -days))
		fmt.Printf("pruned %d index entries\n", n)
	case "export-usage":
		err = ops.ExportUsage(ctx)
	case "publish-prompt":
		err = ops.PublishPrompt(ctx, arg(2))
	case "import-docs":
		var n int
		n, err = ops.ImportDocuments(ctx, arg(2), os.Stdin)
		fmt.Printf("imported %d documents\n", n)
	case "delete-user":
		err = (&conversation.Store{KV: store}).DeleteAll(ctx, arg(2))
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvadmin:", err)
		os.Exit(1)
	}
}
