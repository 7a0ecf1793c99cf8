// Package pool will hold the connection layer of duoredis: dialing TCP, unix
// sockets and TLS, the handshake (HELLO, AUTH, SELECT, CLIENT SETNAME), and
// the connection pool with its limits, health checks and statistics. That
// work comes with the client issue.
//
// What it holds today is the choice of parser, made the way package net
// chooses its resolver: a pair of small files selected by build tag sets the
// default ([DefaultParser]), and [ParserByName] picks either parser
// explicitly at run time where both are built in.
//
//	go build ./...                 goparser (pure Go) is the default
//	go build -tags hiredis ./...   cparser (hiredis's C reader) is the default
//
// Asking for -tags hiredis with CGO_ENABLED=0 fails the build with a
// sentence that says so, rather than falling back to goparser silently.
package pool
