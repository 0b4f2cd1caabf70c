package pairing

import "net/url"

func urlQueryValue(qs, name string) (string, error) {
	v, err := url.ParseQuery(qs)
	if err != nil {
		return "", err
	}
	return v.Get(name), nil
}
