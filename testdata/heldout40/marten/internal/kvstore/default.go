package kvstore

import (
	"log"
	"os"
	"sync"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

var (
	defaultOnce  sync.Once
	defaultStore *Store
)

// Default returns the process-wide store of the main PMS namespace, built
// from CF_API_TOKEN, CF_ACCOUNT_ID and PMS_KV_NAMESPACE on first use.
func Default() *Store {
	defaultOnce.Do(func() {
		api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
		if err != nil {
			log.Fatalf("kvstore: %v", err)
		}
		defaultStore = New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("PMS_KV_NAMESPACE"))
	})
	return defaultStore
}
