module kvlint.test/rest

go 1.26
