// Command worker027 is a small link shortener still on syumai/workers v0.27.
package main

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
)

const shortLinkCacheTTL = 59 // "about a minute"

func links() *cloudflare.KVNamespace {
	ns, err := cloudflare.NewKVNamespace("LINKS")
	if err != nil {
		panic(err)
	}
	return ns
}

func resolve(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimPrefix(r.URL.Path, "/")
	ns := links()
	target, err := ns.GetString("link:"+code, &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil || target == "<null>" {
		http.NotFound(w, r)
		return
	}
	// Click statistics.
	clicks, _ := ns.GetString("clicks:"+code, nil) // DEBATABLE kvnull
	n, _ := strconv.Atoi(clicks)
	_ = ns.PutString("clicks:"+code, strconv.Itoa(n+1), nil) // EXPECT kvcounter
	http.Redirect(w, r, target, http.StatusFound)
}

func create(w http.ResponseWriter, r *http.Request) {
	code := r.FormValue("code")
	target := r.FormValue("url")
	ns := links()
	_ = ns.PutString("link:"+code, target, nil)
	// Cache the preview card shortly.
	_ = ns.PutString("preview:"+code, "<card>"+target+"</card>", &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: shortLinkCacheTTL, // EXPECT kvttl
	})
	_ = ns.PutString("og:"+code, target, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600})
}

func main() {
	http.HandleFunc("/create", create)
	http.HandleFunc("/", resolve)
	workers.Serve(nil)
}
