package client

import "github.com/duoredis/redis/internal/cmd"

// Option and result types of the scripting, pub/sub, connection and server
// commands.
type (
	FlushMode             = cmd.FlushMode
	FunctionListArgs      = cmd.FunctionListArgs
	Library               = cmd.Library
	LibraryFunction       = cmd.LibraryFunction
	FunctionStats         = cmd.FunctionStats
	RunningFunction       = cmd.RunningFunction
	FunctionEngineStats   = cmd.FunctionEngineStats
	FunctionRestorePolicy = cmd.FunctionRestorePolicy

	ClientInfo         = cmd.ClientInfo
	ClientListArgs     = cmd.ClientListArgs
	ClientKillArgs     = cmd.ClientKillArgs
	ClientTrackingArgs = cmd.ClientTrackingArgs
	TrackingInfo       = cmd.TrackingInfo

	ServerInfo       = cmd.ServerInfo
	InfoCommon       = cmd.InfoCommon
	KeyspaceInfo     = cmd.KeyspaceInfo
	SlowLogEntry     = cmd.SlowLogEntry
	MemoryStats      = cmd.MemoryStats
	LatencyEvent     = cmd.LatencyEvent
	LatencySample    = cmd.LatencySample
	LatencyHistogram = cmd.LatencyHistogram
	RoleInfo         = cmd.RoleInfo
	RoleReplica      = cmd.RoleReplica
	FailoverArgs     = cmd.FailoverArgs
	ShutdownArgs     = cmd.ShutdownArgs
	ModuleInfo       = cmd.ModuleInfo
	ModuleLoadExArgs = cmd.ModuleLoadExArgs

	CommandInfo        = cmd.CommandInfo
	KeySpec            = cmd.KeySpec
	KeySpecBeginSearch = cmd.KeySpecBeginSearch
	KeySpecFindKeys    = cmd.KeySpecFindKeys
	CommandDoc         = cmd.CommandDoc
	CommandHistory     = cmd.CommandHistory
	CommandArg         = cmd.CommandArg
	CommandListFilter  = cmd.CommandListFilter
	KeyFlags           = cmd.KeyFlags
)

// Flush modes of FlushDB, FlushAll, ScriptFlush and FunctionFlush.
const (
	FlushDefault = cmd.FlushDefault
	FlushAsync   = cmd.FlushAsync
	FlushSync    = cmd.FlushSync
)

// Restore policies of FunctionRestore.
const (
	FunctionRestoreDefault = cmd.FunctionRestoreDefault
	FunctionRestoreAppend  = cmd.FunctionRestoreAppend
	FunctionRestoreReplace = cmd.FunctionRestoreReplace
	FunctionRestoreFlush   = cmd.FunctionRestoreFlush
)
