// Deliberately misnamed: house.naming_rejects_misnamed_declarations.
#pragma once

struct lower_struct {
  int MixedCase = 0;
};
int snake_function();
