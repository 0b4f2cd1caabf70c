// Command kvplugin is the records plugin launched by sandboxd.
package main

import (
	"fmt"
	"os"

	"github.com/frogmouth-dev/frogmouth/internal/kvplugin"
	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

func main() {
	token, account, ns := os.Getenv("RECORDS_API_TOKEN"), os.Getenv("RECORDS_ACCOUNT_ID"), os.Getenv("RECORDS_NAMESPACE_ID")
	if token == "" || account == "" || ns == "" {
		fmt.Fprintln(os.Stderr, "kvplugin: RECORDS_API_TOKEN, RECORDS_ACCOUNT_ID and RECORDS_NAMESPACE_ID are required")
		os.Exit(1)
	}
	kvplugin.Serve(kvplugin.NewServer(kvstore.NewClient(token), account, ns))
}
