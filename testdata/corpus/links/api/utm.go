package api

import (
	"net/http"
	"net/url"

	"example.com/links/kvx"
	"example.com/links/settings"
)

// mergeQuery adds the parameters in add to the encoded query in base;
// parameters already present in base are overwritten.
func mergeQuery(base string, add url.Values) string {
	q, err := url.ParseQuery(base)
	if err != nil {
		q = url.Values{}
	}
	for k, vs := range add {
		q[k] = vs
	}
	return q.Encode()
}

// SetUTM sets default utm_* parameters appended to a link's destination.
func SetUTM(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	add := url.Values{}
	for _, k := range []string{"utm_source", "utm_medium", "utm_campaign", "utm_content"} {
		if v := r.PostForm.Get(k); v != "" {
			add.Set(k, v)
		}
	}
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	key := "utm:" + r.PathValue("slug")
	cur, _, err := kvx.Load(links, key)
	if err != nil {
		oops(w, err)
		return
	}
	if err := links.PutString(key, mergeQuery(cur, add), nil); err != nil { // EXPECT kvrace
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// UTM returns a link's default utm parameters.
func UTM(w http.ResponseWriter, r *http.Request) {
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	cur, _, err := kvx.Load(links, "utm:"+r.PathValue("slug"))
	if err != nil {
		oops(w, err)
		return
	}
	q, _ := url.ParseQuery(cur)
	reply(w, http.StatusOK, q)
}
