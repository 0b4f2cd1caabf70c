package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/corpus/worker/config"
)

// IssueDownloadLink creates a token that maps to a file for a while.
func IssueDownloadLink(w http.ResponseWriter, r *http.Request) {
	file := r.FormValue("file")
	links, err := kv.NewNamespace("LINKS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	token := newID()
	opts := &kv.PutOptions{ExpirationTTL: int(config.DownloadLinkTTL)} // EXPECT kvttl
	if err := links.PutString("dl:"+token, file, opts); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write([]byte("/download/" + token))
}

// IssuePreviewLink is the same for previews, written correctly.
func IssuePreviewLink(w http.ResponseWriter, r *http.Request) {
	file := r.FormValue("file")
	links, _ := kv.NewNamespace("LINKS")
	token := newID()
	_ = links.PutString("preview:"+token, file, &kv.PutOptions{
		ExpirationTTL: int(config.DownloadLinkTTL / time.Second),
	})
	w.Write([]byte("/preview/" + token))
}

// Download serves a file and counts downloads per file.
func Download(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	links, _ := kv.NewNamespace("LINKS")
	file, err := links.GetString("dl:"+token, nil)
	if err != nil || file == "<null>" {
		http.NotFound(w, r)
		return
	}
	stats, _ := kv.NewNamespace("STATS")
	counterKey := "downloads:" + file
	defer func() {
		cur, err := stats.GetString(counterKey, nil) // DEBATABLE kvnull
		if err != nil {
			return
		}
		n, _ := strconv.Atoi(cur)
		stats.PutString(counterKey, strconv.Itoa(n+1), nil) // EXPECT kvcounter
	}()
	http.Redirect(w, r, "https://files.example.com/"+file, http.StatusFound)
}
