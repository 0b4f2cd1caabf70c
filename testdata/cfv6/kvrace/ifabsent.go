package kvrace

import (
	"fmt"
	"net/http"
)

// Put-if-absent over HTTP: a link already there is answered as not
// created, with no error. The slug and the target are different parts of
// one request, so the target is this request's own: two requests for one
// slug both find it free, both are told it was created, and the last
// target wins.
func (f *flags) createLink(w http.ResponseWriter, r *http.Request) {
	key := "link:" + r.PathValue("slug")
	if _, err := f.read(r.Context(), key); err == nil {
		fmt.Fprintln(w, `{"created":false}`)
		return
	}
	if err := f.write(r.Context(), key, []byte(r.FormValue("target"))); err != nil { // want `check-then-create on one KV key`
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintln(w, `{"created":true}`)
}

// Look-alike: what is written is what names the key, the same for every
// request that finds it free, so a second writer changes nothing.
func (f *flags) rememberLink(w http.ResponseWriter, r *http.Request) {
	key := "seen:" + r.PathValue("slug")
	if _, err := f.read(r.Context(), key); err == nil {
		fmt.Fprintln(w, `{"seen":true}`)
		return
	}
	_ = f.write(r.Context(), key, []byte(r.PathValue("slug")))
	fmt.Fprintln(w, `{"seen":false}`)
}
