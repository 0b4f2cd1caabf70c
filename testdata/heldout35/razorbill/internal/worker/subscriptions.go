//go:build js && wasm

package worker

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"razorbill/internal/events"
	"razorbill/internal/keys"
	"razorbill/internal/retry"
)

const maxTagsPerShow = 12

func (s *Server) handleSubscribe() http.HandlerFunc {
	ns := s.content.NS()
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.currentSession(r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		show := keys.ShowID(r.FormValue("show"))
		key := sess.ListenerID.SubscriptionsKey()
		var subs []keys.ShowID
		raw, err := ns.GetString(key, nil)
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if raw != "<null>" {
			_ = json.Unmarshal([]byte(raw), &subs)
		}
		if !slices.Contains(subs, show) {
			subs = append(subs, show)
		}
		b, _ := json.Marshal(subs)
		if err := ns.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		_ = s.bus.Emit(events.Event{Name: events.ListenerActivity,
			Payload: events.SubscribeEvent{ListenerID: string(sess.ListenerID), ShowID: string(show)}})
		writeJSON(w, http.StatusOK, subs)
	}
}

func (s *Server) handleListSubscriptions() http.HandlerFunc {
	ns := s.content.NS()
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.currentSession(r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		raw, err := ns.GetString(sess.ListenerID.SubscriptionsKey(), nil)
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if raw == "" { // EXPECT kvnull
			writeJSON(w, http.StatusOK, []keys.ShowID{})
			return
		}
		var subs []keys.ShowID
		if err := json.Unmarshal([]byte(raw), &subs); err != nil {
			http.Error(w, "corrupt subscription list", http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, subs)
	}
}

func (s *Server) handleUnsubscribe() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.currentSession(r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		show := keys.ShowID(r.PathValue("show"))
		err = s.content.Update(sess.ListenerID.SubscriptionsKey(), 0, func(old string, ok bool) (string, error) {
			var subs []keys.ShowID
			if ok {
				_ = json.Unmarshal([]byte(old), &subs)
			}
			subs = slices.DeleteFunc(subs, func(id keys.ShowID) bool { return id == show })
			b, err := json.Marshal(subs)
			return string(b), err
		})
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleClaimSlug reserves a vanity slug for a show.
func (s *Server) handleClaimSlug() http.HandlerFunc {
	ns := s.content.NS()
	return func(w http.ResponseWriter, r *http.Request) {
		show := keys.ShowID(r.PathValue("show"))
		slug := strings.ToLower(strings.TrimSpace(r.FormValue("slug")))
		if slug == "" || len(slug) > 64 {
			http.Error(w, "invalid slug", http.StatusBadRequest)
			return
		}
		key := keys.SlugKey(slug)
		owner, err := ns.GetString(key, nil)
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if owner != "<null>" && owner != string(show) {
			http.Error(w, "slug taken", http.StatusConflict)
			return
		}
		if err := ns.PutString(key, string(show), nil); err != nil { // EXPECT kvrace
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}
}

// handleAddTag adds a tag to a show, retrying transient KV failures.
func (s *Server) handleAddTag() http.HandlerFunc {
	ns := s.content.NS()
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		show := keys.ShowID(r.PathValue("show"))
		tag := strings.ToLower(r.FormValue("tag"))
		key := keys.TagsKey(show)
		err := retry.Do(ctx, 3, func() error {
			return retry.Do(ctx, 2, func() error {
				raw, err := ns.GetString(key, nil)
				if err != nil {
					return err
				}
				var tags []string
				if raw != "<null>" {
					if err := json.Unmarshal([]byte(raw), &tags); err != nil {
						return retry.Permanent{Err: err}
					}
				}
				if slices.Contains(tags, tag) || len(tags) >= maxTagsPerShow {
					return nil
				}
				tags = append(tags, tag)
				b, _ := json.Marshal(tags)
				return ns.PutString(key, string(b), nil) // EXPECT kvrace
			})
		})
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// warmSubscriptions copies the subscription list into the edge cache of the
// listener's home shows; it runs after login.
func (s *Server) warmSubscriptions(ctx context.Context, l keys.ListenerID) error {
	ns := s.content.NS()
	return retry.Do(ctx, 3, func() error {
		raw, err := ns.GetString(l.SubscriptionsKey(), &kv.GetOptions{CacheTTL: 300})
		if err != nil || raw == "<null>" {
			return err
		}
		return ns.PutString("home/"+string(l), raw, &kv.PutOptions{ExpirationTTL: 3600})
	})
}
