package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// handleNewDownload issues a short-lived link to a purchased file. The
// client asks for it right before it starts the download.
func handleNewDownload(w http.ResponseWriter, r *http.Request) {
	var req struct {
		File string `json:"file"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.File == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	links, err := kv.NewNamespace(cacheBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// The link only has to outlive the redirect that follows at once, so it
	// expires half a minute from now.
	token := rand.Text()
	expires := time.Now().Add(30 * time.Second)
	err = links.PutString("download:"+token, req.File, &kv.PutOptions{
		Expiration: int(expires.Unix()),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{
		"url":     "/downloads/" + token,
		"expires": expires.UTC().Format(time.RFC3339),
	})
}

// handleDownload redirects a valid link to the file in the bucket.
func handleDownload(w http.ResponseWriter, r *http.Request) {
	links, err := kv.NewNamespace(cacheBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	file, err := links.GetString("download:"+r.PathValue("token"), nil)
	if err != nil || file == "<null>" {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, "https://files.example.com/"+base64.RawURLEncoding.EncodeToString([]byte(file)), http.StatusFound)
}
