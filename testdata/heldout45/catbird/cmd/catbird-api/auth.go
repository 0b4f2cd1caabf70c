//go:build !js

package main

import (
	"encoding/json"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"catbird/internal/forum"
)

const (
	sessionTTL    = 14 * 24 * time.Hour
	revocationTTL = sessionTTL + time.Hour
)

type magicLink struct {
	MemberID string    `json:"member_id"`
	Issued   time.Time `json:"issued"`
}

func magicKey(token string) string { return "magic:" + token }

// sessionPair is the template every session written by the origin starts from.
func (a *app) sessionPair() cloudflare.WorkersKVPair {
	return cloudflare.WorkersKVPair{ExpirationTTL: int(sessionTTL.Seconds())}
}

// redeemMagicLink turns a magic link into a session.
func (a *app) redeemMagicLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := magicKey(r.PathValue("token"))
	raw, found, err := a.sessKV.Get(ctx, key)
	if err != nil {
		fail(w, err)
		return
	}
	if !found {
		writeJSON(w, http.StatusGone, map[string]string{"error": "link expired or already used"})
		return
	}
	var link magicLink
	if err := json.Unmarshal(raw, &link); err != nil {
		fail(w, err)
		return
	}
	_, err = a.sessKV.API.DeleteWorkersKVEntry(ctx, a.sessKV.Account, cloudflare.DeleteWorkersKVEntryParams{ // EXPECT kvsession
		NamespaceID: a.sessKV.NamespaceID,
		Key:         key,
	})
	if err != nil {
		fail(w, err)
		return
	}

	now := time.Now().UTC()
	sess := forum.Session{ID: forum.NewID(), MemberID: link.MemberID, Role: forum.RoleMember, CSRF: forum.NewID(), CreatedAt: now, SeenAt: now, UserAgent: r.UserAgent()}
	body, _ := json.Marshal(sess)
	sp := a.sessionPair()
	sp.Key, sp.Value = forum.SessionKey(sess.ID), string(body)
	ip := a.sessionPair()
	ip.Key, ip.Value = forum.MemberSessionKey(sess.MemberID, sess.ID), now.Format(time.RFC3339)
	_, err = a.sessKV.API.WriteWorkersKVEntries(ctx, a.sessKV.Account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: a.sessKV.NamespaceID,
		KVs:         []*cloudflare.WorkersKVPair{&sp, &ip},
	})
	if err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "cb_sess", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, MaxAge: int(sessionTTL.Seconds())})
	writeJSON(w, http.StatusOK, map[string]string{"csrf": sess.CSRF})
}

// passwordChanged signs a member out everywhere: every session they hold
// is put on the revocation list the Worker consults.
func (a *app) passwordChanged(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	memberID := r.PathValue("id")
	prefix := forum.MemberSessionKey(memberID, "")
	cursor := ""
	revoked := 0
	for page := 0; page < 5; page++ {
		keys, next, err := a.sessKV.Page(ctx, prefix, cursor, 100)
		if err != nil {
			fail(w, err)
			return
		}
		for _, k := range keys {
			sid := strings.TrimPrefix(k.Name, prefix)
			if err := a.sessKV.PutTTL(ctx, "revoked:"+sid, []byte(memberID), revocationTTL); err != nil { // EXPECT kvsession
				log.Printf("revoke %s: %v", sid, err)
				continue
			}
			revoked++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	writeJSON(w, http.StatusOK, map[string]int{"revoked": revoked})
}
