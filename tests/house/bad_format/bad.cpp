// Deliberately not clang-format formatted: house.clang_format_rejects_an_unformatted_file.
int   main( ) { return 0 ; }
