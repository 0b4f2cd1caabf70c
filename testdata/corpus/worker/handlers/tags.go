package handlers

import (
	"net/http"
	"strings"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// TagPost adds tags to a post; each tag is stored in the background.
func TagPost(w http.ResponseWriter, r *http.Request) {
	postID := r.PathValue("id")
	tags := strings.Split(r.FormValue("tags"), ",")
	ns, err := kv.NewNamespace("POSTS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := "post-tags:" + postID
	old, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func(existing string) {
		defer wg.Done()
		joined := strings.Join(tags, ",")
		if existing != "<null>" && existing != "" {
			joined = existing + "," + joined
		}
		_ = ns.PutString(key, joined, nil) // EXPECT kvrace
	}(old)
	wg.Wait()
	w.WriteHeader(http.StatusAccepted)
}

// IndexTags writes one key per (tag, post): nothing is read back.
func IndexTags(w http.ResponseWriter, r *http.Request) {
	postID := r.PathValue("id")
	ns, _ := kv.NewNamespace("POSTS")
	for _, t := range strings.Split(r.FormValue("tags"), ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		_ = ns.PutString("tag:"+t+":"+postID, "1", nil)
	}
}
