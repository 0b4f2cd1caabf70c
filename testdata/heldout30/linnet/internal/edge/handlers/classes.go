//go:build js && wasm

package handlers

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"example.com/linnet/internal/edge/workerkv"
	"example.com/linnet/internal/flags"
	"github.com/syumai/workers/cloudflare/kv"
)

// roster is the legacy class roster: one JSON array per class. Classes on
// the new path use one key per member (see classroom.Service.Join).
type roster struct {
	ns *kv.Namespace
}

func (r roster) add(class, learner string) error {
	key := "roster:" + class
	raw, err := r.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var names []string
	if raw != workerkv.Null {
		if err := json.Unmarshal([]byte(raw), &names); err != nil {
			return err
		}
	}
	if slices.Contains(names, learner) {
		return nil
	}
	out, err := json.Marshal(append(names, learner))
	if err != nil {
		return err
	}
	return r.ns.PutString(key, string(out), nil) // EXPECT kvrace
}

type codeBody struct{ Code, Name string }

func (d deps) createClass(w http.ResponseWriter, r *http.Request) {
	if body, ok := decode[codeBody](w, r); ok {
		cls, err := d.Classes.CreateClass(r.Context(), learnerFrom(r.Context()), body.Name)
		d.respond(w, r, cls, err)
	}
}

func (d deps) joinClass(w http.ResponseWriter, r *http.Request) {
	body, ok := decode[codeBody](w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	user := learnerFrom(ctx)
	class, err := d.Classes.Join(ctx, body.Code, user)
	if err == nil && !d.Flags.Enabled(ctx, flags.NewRosterPath, class) {
		err = roster{ns: d.kv.Namespace()}.add(class, user)
	}
	d.respond(w, r, map[string]string{"class": class}, err)
}

func (d deps) heartbeat(w http.ResponseWriter, r *http.Request) {
	d.respond(w, r, nil, d.Classes.Heartbeat(r.Context(), r.PathValue("id"), learnerFrom(r.Context())))
}

func (d deps) members(w http.ResponseWriter, r *http.Request) {
	all, err := d.Classes.Members(r.Context(), r.PathValue("id"))
	d.respond(w, r, map[string]any{"members": all, "count": len(all)}, err)
}

var shareEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// shareLink creates a short link teachers can paste into a chat; it lands
// on the join page with the class pre-filled.
func (d deps) shareLink(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	code := shareEncoding.EncodeToString(b)
	expires := time.Now().Add(d.cfg.Classroom.ShareLink)
	err := d.kv.Namespace().PutString("share:"+code, r.PathValue("id"), &kv.PutOptions{
		Expiration: int(expires.UnixMilli()), // EXPECT kvttl
	})
	d.respond(w, r, map[string]any{"url": "https://linnet.example/s/" + code, "expires": expires}, err)
}

func (d deps) vanityCode(w http.ResponseWriter, r *http.Request) {
	if body, ok := decode[codeBody](w, r); ok {
		d.respond(w, r, nil, d.Classes.ClaimVanityCode(r.Context(), r.PathValue("id"), body.Code))
	}
}

func (d deps) consent(w http.ResponseWriter, r *http.Request) {
	d.respond(w, r, nil, d.Classes.AcceptConsent(r.Context(), r.PathValue("id"), learnerFrom(r.Context())))
}

func (d deps) leaderboard(w http.ResponseWriter, r *http.Request) {
	snap, err := d.Board.Snapshot(r.Context(), r.PathValue("id"))
	d.respond(w, r, snap, err)
}

func (d deps) lessonPlan(w http.ResponseWriter, r *http.Request) {
	plan, err := d.Classes.LessonPlan(r.Context(), r.PathValue("id"), r.PathValue("plan"))
	d.respond(w, r, plan, err)
}
