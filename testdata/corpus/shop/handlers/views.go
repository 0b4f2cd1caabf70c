package handlers

import (
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
	"example.com/shop/internal/kvstore"
)

type Views struct {
	DownloadBase string
}

// Track is fired by the product page beacon.
func (Views) Track(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := "views:" + sku
	cloudflare.WaitUntil(func() {
		cur, err := ns.GetString(key, nil) // DEBATABLE kvnull
		if err != nil {
			log.Printf("views %s: %v", sku, err)
			return
		}
		n, _ := strconv.Atoi(cur)
		err = ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ // EXPECT kvcounter
			ExpirationTTL: int(config.ViewCountRetains / time.Second),
		})
		if err != nil {
			log.Printf("views %s: %v", sku, err)
		}
	})
	w.WriteHeader(http.StatusNoContent)
}

func (Views) Count(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	v, err := ns.GetString("views:"+r.PathValue("sku"), &kv.GetOptions{CacheTTL: 60}) // DEBATABLE kvnull
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	n, _ := strconv.Atoi(v)
	writeJSON(w, http.StatusOK, map[string]int{"views": n})
}

const maxDownloads = 5

// Download hands out the file of a digital order, a limited number of times.
func (v Views) Download(w http.ResponseWriter, r *http.Request) {
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	order := r.PathValue("order")
	n, err := st.Incr("downloads:"+order, 0) // DEBATABLE kvcounter
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if n > maxDownloads {
		http.Error(w, "download limit reached", http.StatusForbidden)
		return
	}
	http.Redirect(w, r, v.DownloadBase+"/"+order, http.StatusFound)
}
