// Command admin runs the back-office dashboard API.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/boxoffice/knot/internal/admin"
)

func main() {
	addr := flag.String("addr", ":8081", "listen address")
	flag.Parse()

	api := admin.NewAPI(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"))
	d := admin.NewDashboard(api, admin.Namespaces{
		Holds:    admin.NamespaceID(os.Getenv("KV_HOLDS")),
		Sessions: admin.NamespaceID(os.Getenv("KV_SESSIONS")),
		Feeds:    admin.NamespaceID(os.Getenv("KV_FEEDS")),
		Doors:    admin.NamespaceID(os.Getenv("KV_DOORS")),
	})
	srv := &http.Server{
		Addr:              *addr,
		Handler:           &admin.Handler{D: d},
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("admin listening on %s", *addr)
	log.Fatal(srv.ListenAndServe())
}
