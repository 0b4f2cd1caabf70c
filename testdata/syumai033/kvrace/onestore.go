package kvrace

import (
	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/recstore"
)

type speakerProfile struct {
	Event, ID, Bio string
	Tags           []string
}

func (p speakerProfile) Key() string {
	return recstore.Scope("ev").Child(p.Event, "speakerProfile", p.ID).String()
}

// A record loaded by a typed key and saved by its own Key() through one
// store's functions: written back where it was read.
func tagProfile(ns *kv.Namespace, event, id, tag string) error {
	p, err := recstore.Load[speakerProfile](ns, recstore.Scope("ev").Child(event, "speakerProfile", id))
	if err != nil {
		return err
	}
	p.Tags = append(p.Tags, tag)
	return recstore.Save(ns, p) // want `read-modify-write on one KV key`
}

// Quiet: a new record saved by its own key, after another was loaded.
func copyProfile(ns *kv.Namespace, event, id, to string) error {
	p, err := recstore.Load[speakerProfile](ns, recstore.Scope("ev").Child(event, "speakerProfile", id))
	if err != nil {
		return err
	}
	return recstore.Save(ns, speakerProfile{Event: to, ID: p.ID, Bio: p.Bio})
}

// loadSpeaker reads the profile that id names.
func loadSpeaker(ns *kv.Namespace, event, id string) (speakerProfile, error) {
	return recstore.Load[speakerProfile](ns, recstore.Scope("ev").Child(event, "profile", id))
}

// A record read by a helper of this package and saved by another
// package's function under a typed key made from its own Key().
func renameSpeaker(ns *kv.Namespace, event, id, bio string) error {
	p, err := loadSpeaker(ns, event, id)
	if err != nil {
		return err
	}
	p.Bio = bio
	return recstore.SaveScoped(ns, p) // want `read-modify-write on one KV key`
}
