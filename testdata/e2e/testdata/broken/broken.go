// Package broken does not type-check; kvlint must say so in one line and
// exit 2. (It sits under testdata/ so that ./... does not match it.)
package broken

func Broken() int {
	return undefinedName
}
